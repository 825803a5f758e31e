import * as vscode from 'vscode';
import type { HostHomes } from '../hostHomes';
import type { TreeNode } from './treeNodes/treeNode';

/**
 * What the three MultiSite views share: host homes at the top, nodes that know their own
 * children, and a refresh of the whole view whenever the configured hosts change. Each view
 * says only what its top-level nodes are.
 */
export abstract class HostTreeDataProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(protected readonly hosts: HostHomes, protected readonly log?: vscode.LogOutputChannel) {
    this.subscription = hosts.onDidChange(() => this.changed.fire(undefined));
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  getChildren(node?: TreeNode): TreeNode[] | Promise<TreeNode[]> {
    return node ? node.getChildren() : this.roots();
  }

  protected abstract roots(): TreeNode[];

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
