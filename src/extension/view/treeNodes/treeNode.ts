import type * as vscode from 'vscode';

/** A node of a MultiSite tree view: knows its own TreeItem and its children. */
export interface TreeNode {
  getTreeItem(): vscode.TreeItem;
  getChildren(): TreeNode[] | Promise<TreeNode[]>;
}
