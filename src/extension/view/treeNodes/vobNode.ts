import * as vscode from 'vscode';
import type { VobReplicas } from '../../../engine/sync/listing';
import { ReplicaNode } from './replicaNode';
import type { TreeNode } from './treeNode';

/** A VOB registered on a host (its local replica) with every replica of the family below it. */
export class VobNode implements TreeNode {
  constructor(readonly hostHome: string, readonly vob: VobReplicas) {}

  getTreeItem(): vscode.TreeItem {
    const v = this.vob;
    const item = new vscode.TreeItem(v.tag, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `multisite.replicas:${this.hostHome}:vob:${v.familyOid}`;
    item.contextValue = v.recovering ? 'vob:recovering' : 'vob';
    item.iconPath = new vscode.ThemeIcon('repo');
    item.description = `replica ${v.replica}${v.recovering ? ', recovering' : ''}`;
    item.tooltip = `VOB ${v.tag} (family ${v.familyOid})\nlocal replica ${v.replica} in ${v.dir}` +
      (v.recovering ? `\nrecovering: waiting for ${v.recovering.waitingFor.join(', ')}` : '');
    return item;
  }

  getChildren(): TreeNode[] {
    const self = this.vob.replicas.find((r) => r.self);
    return this.vob.replicas.map((r) => new ReplicaNode(this.hostHome, this.vob, r, self));
  }
}
