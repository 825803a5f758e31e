import * as vscode from 'vscode';
import type { HostHomes } from '../hostHomes';
import { HostNode } from './treeNodes/hostNode';
import type { TreeNode } from './treeNodes/treeNode';

export const REPLICAS_VIEW = 'multisite.replicas';

/**
 * Replicas view: one node per configured host home (a configured directory that is no host shows
 * with a warning); the host's replicas below it (engine).
 */
export class ReplicasTreeDataProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly hosts: HostHomes) {
    this.subscription = hosts.onDidChange(() => this.changed.fire(undefined));
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  getChildren(node?: TreeNode): TreeNode[] | Promise<TreeNode[]> {
    if (node) return node.getChildren();
    // No host at all: stay empty so the welcome view explains what to do.
    if (!this.hosts.hasHost) return [];
    return this.hosts.homes.map((h) => new HostNode(h, REPLICAS_VIEW));
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
