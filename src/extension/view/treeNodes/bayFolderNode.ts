import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { MultiSiteError } from '../../../engine/errors';
import { packetFilesIn, readHeaders } from '../../../engine/packet';
import { PacketNode } from './packetNode';
import type { TreeNode } from './treeNode';

/** The incoming or outgoing folder of a storage or return bay, with the packets in it. */
export class BayFolderNode implements TreeNode {
  private files: string[] | undefined;

  constructor(readonly storageClass: string, readonly bayKind: 'storage' | 'return', readonly dir: string) {}

  /** Packet files in the folder (headers are read only when the node is expanded). */
  packetFiles(): string[] {
    if (!this.files) {
      try {
        this.files = packetFilesIn(this.dir);
      } catch {
        this.files = [];
      }
    }
    return this.files;
  }

  getTreeItem(): vscode.TreeItem {
    const n = this.packetFiles().length;
    const side = path.basename(this.dir);
    const item = new vscode.TreeItem(`${this.storageClass} ${this.bayKind === 'return' ? 'return ' : ''}${side}`,
      n ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `multisite.packets:${this.dir}`;
    item.contextValue = `bayFolder:${this.bayKind}:${side}`;
    item.iconPath = new vscode.ThemeIcon(side === 'incoming' ? 'arrow-down' : 'arrow-up');
    item.description = n === 1 ? '1 packet' : `${n} packets`;
    item.resourceUri = vscode.Uri.file(this.dir);
    item.tooltip = this.dir;
    return item;
  }

  getChildren(): TreeNode[] {
    return readHeaders(this.packetFiles()).map((p) => {
      if (p.header) return new PacketNode(p.file, p.header);
      if (p.error instanceof MultiSiteError || p.error instanceof Error) return new PacketNode(p.file, undefined, p.error.message);
      return new PacketNode(p.file, undefined, String(p.error));
    });
  }

  static existing(storageClass: string, bayKind: 'storage' | 'return', bay: string): BayFolderNode[] {
    return ['incoming', 'outgoing'].map((side) => path.join(bay, side)).filter((d) => fs.existsSync(d))
      .map((d) => new BayFolderNode(storageClass, bayKind, d));
  }
}
