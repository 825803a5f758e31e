import * as vscode from 'vscode';
import type { ReplicaInfo, VobReplicas } from '../../../engine/sync/listing';
import type { TreeNode } from './treeNode';

/**
 * One replica of a VOB family as this host sees it. For a sibling, "behind" counts the changes
 * this host's replica has (its own row) that the sibling, by this host's estimate, has not.
 */
export class ReplicaNode implements TreeNode {
  constructor(readonly hostHome: string, readonly vob: VobReplicas, readonly replica: ReplicaInfo, readonly self: ReplicaInfo | undefined) {}

  /** Operations the local replica has that this sibling lacks (estimate); 0 for the local one. */
  behind(): number {
    if (this.replica.self || !this.self) return 0;
    let n = 0;
    for (const [origin, have] of Object.entries(this.self.row)) n += Math.max(0, have - (this.replica.row[origin] ?? 0));
    return n;
  }

  getTreeItem(): vscode.TreeItem {
    const r = this.replica;
    const item = new vscode.TreeItem(r.name, vscode.TreeItemCollapsibleState.None);
    item.id = `multisite.replicas:${this.hostHome}:vob:${this.vob.familyOid}:${r.oid}`;
    const behind = this.behind();
    item.contextValue = r.self ? 'replica:self' : behind > 0 ? 'replica:behind' : 'replica';
    item.iconPath = new vscode.ThemeIcon(r.self ? 'home' : behind > 0 ? 'warning' : 'pass');
    const last = this.vob.lastExports.find((e) => e.target === r.name);
    item.description = r.self ? `this replica, host ${r.host}` : `${behind > 0 ? `behind by ${behind}` : 'up to date'}, host ${r.host}`;
    item.tooltip = [
      `replica ${r.name} of ${this.vob.tag} on host ${r.host}${r.self ? ' (this replica)' : ''}`,
      `oplog entries originated: ${r.epoch}; incarnation ${r.incarnation}${r.self ? '' : ' (as last heard)'}`,
      ...(r.self ? [] : [`last export to it: ${last ? last.at : 'none'}`]),
    ].join('\n');
    return item;
  }

  getChildren(): TreeNode[] {
    return [];
  }
}
