import * as vscode from 'vscode';
import type { HostHome, HostHomes } from '../hostHomes';
import { HostNode } from './treeNodes/hostNode';
import { MessageNode } from './treeNodes/messageNode';
import type { TreeNode } from './treeNodes/treeNode';
import { VobNode } from './treeNodes/vobNode';

export const REPLICAS_VIEW = 'multisite.replicas';

/**
 * Replicas view: one node per configured host home (a configured directory that is no host shows
 * with a warning); below a host its VOBs, below each VOB every replica of the family, with how
 * far behind this host estimates it to be.
 */
export class ReplicasTreeDataProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly hosts: HostHomes, private readonly log?: vscode.LogOutputChannel) {
    this.subscription = hosts.onDidChange(() => this.changed.fire(undefined));
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  getChildren(node?: TreeNode): TreeNode[] | Promise<TreeNode[]> {
    if (node) return node.getChildren();
    // No host at all: stay empty so the welcome view explains what to do.
    if (!this.hosts.hasHost) return [];
    return this.hosts.homes.map((h) => new HostNode(h, REPLICAS_VIEW, (host) => this.vobsOf(host), true));
  }

  /** The host's VOBs and their replicas, read-only through the engine (lsreplica's listing). */
  private async vobsOf(host: HostHome): Promise<TreeNode[]> {
    try {
      // loaded on first use: the replica store stays out of activation
      const { listReplicas } = await import('../../engine/sync/listing');
      const vobs = await listReplicas({ home: host.home, lockTimeoutMs: 5000 });
      if (vobs.length === 0) return [new MessageNode(`${REPLICAS_VIEW}:${host.home}:none`, 'No VOBs are registered on this host.')];
      return vobs.map((v) => new VobNode(host.home, v));
    } catch (e) {
      this.log?.warn(`Cannot list the replicas of ${host.home}: ${(e as Error).message}`);
      return [new MessageNode(`${REPLICAS_VIEW}:${host.home}:error`, 'replicas cannot be read', (e as Error).message)];
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
