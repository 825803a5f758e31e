import * as vscode from 'vscode';
import { BayNode } from './bayNode';
import type { TreeNode } from './treeNode';

/** A storage class of a host's shipping.conf with its bays. */
export class StorageClassNode implements TreeNode {
  constructor(readonly hostHome: string, readonly name: string, readonly storageBays: readonly string[], readonly returnBays: readonly string[],
    readonly expirationDays: number | undefined) {}

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.name, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `multisite.bays:${this.hostHome}:${this.name}`;
    item.contextValue = 'storageClass';
    item.iconPath = new vscode.ThemeIcon('archive');
    item.description = this.expirationDays === undefined ? 'no expiration' : this.expirationDays === 0 ? 'never expires' : `expires after ${this.expirationDays} d`;
    return item;
  }

  getChildren(): TreeNode[] {
    return [
      ...this.storageBays.map((d) => new BayNode(this.hostHome, this.name, 'storage', d)),
      ...this.returnBays.map((d) => new BayNode(this.hostHome, this.name, 'return', d)),
    ];
  }
}
