import * as vscode from 'vscode';
import type { HostHomes } from '../hostHomes';
import type { TreeNode } from './treeNodes/treeNode';

export const PACKETS_VIEW = 'multisite.packets';

/**
 * Packets view: the packets sitting in the bays of each configured host. Empty until the
 * packet engine's header reader is wired in; registered now so the view has a provider.
 */
export class PacketsTreeDataProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
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
    return node ? node.getChildren() : [];
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
