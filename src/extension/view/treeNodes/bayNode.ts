import * as path from 'path';
import * as vscode from 'vscode';
import type { TreeNode } from './treeNode';

export type BayKind = 'storage' | 'return';

/** One storage or return bay directory of a storage class, as shipping.conf declares it. */
export class BayNode implements TreeNode {
  constructor(readonly hostHome: string, readonly storageClass: string, readonly kind: BayKind, readonly dir: string) {}

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(path.basename(this.dir), vscode.TreeItemCollapsibleState.None);
    item.id = `multisite.bays:${this.hostHome}:${this.storageClass}:${this.kind}:${this.dir}`;
    item.description = `${this.kind === 'storage' ? 'storage bay' : 'return bay'} ${path.dirname(this.dir)}`;
    item.contextValue = `bay:${this.kind}`;
    item.iconPath = new vscode.ThemeIcon(this.kind === 'storage' ? 'inbox' : 'reply');
    item.resourceUri = vscode.Uri.file(this.dir);
    item.tooltip = `${this.kind === 'storage' ? 'STORAGE-BAY' : 'RETURN-BAY'} ${this.storageClass} ${this.dir}`;
    return item;
  }

  getChildren(): TreeNode[] {
    return [];
  }
}
