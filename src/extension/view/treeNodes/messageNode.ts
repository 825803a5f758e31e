import * as vscode from 'vscode';
import type { TreeNode } from './treeNode';

/** A leaf that explains something (an unreadable file, an empty bay) instead of showing nothing. */
export class MessageNode implements TreeNode {
  constructor(readonly id: string, readonly message: string, readonly tooltip?: string) {}

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.message, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.contextValue = 'message';
    item.iconPath = new vscode.ThemeIcon('info');
    item.tooltip = this.tooltip;
    return item;
  }

  getChildren(): TreeNode[] {
    return [];
  }
}
