import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
// the module, not the packet index: the writer and reader stay unloaded until an export or import
import { packetFilesIn, readHeaders } from '../../../engine/packet/lspacket';
import { packetVerdict } from '../packetVerdict';
import { PacketNode } from './packetNode';
import type { TreeNode } from './treeNode';
import { engine } from '../../engine';

/** The incoming or outgoing folder of a storage or return bay of host `hostHome`, with the packets in it. */
export class BayFolderNode implements TreeNode {
  private files: string[] | undefined;

  constructor(readonly hostHome: string, readonly storageClass: string, readonly bayKind: 'storage' | 'return', readonly dir: string) {}

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

  get side(): string {
    return path.basename(this.dir);
  }

  getTreeItem(): vscode.TreeItem {
    const n = this.packetFiles().length;
    const item = new vscode.TreeItem(`${this.storageClass} ${this.bayKind === 'return' ? 'return ' : ''}${this.side}`,
      n ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `multisite.packets:${this.dir}`;
    item.contextValue = `bayFolder:${this.bayKind}:${this.side}${n ? '' : ':empty'}`;
    item.iconPath = new vscode.ThemeIcon(this.side === 'incoming' ? 'arrow-down' : 'arrow-up');
    item.description = n === 1 ? '1 packet' : `${n} packets`;
    item.resourceUri = vscode.Uri.file(this.dir);
    item.tooltip = this.dir;
    return item;
  }

  /**
   * Each packet with what an import at this host would do with it (assessPackets, headers
   * only). The assessment opens the host's replicas read-only, so it is loaded on first
   * expansion; if it cannot run (no readable host), the packets show from their headers alone.
   */
  async getChildren(): Promise<TreeNode[]> {
    const files = this.packetFiles();
    try {
      const { assessPackets } = engine();
      const assessed = await assessPackets({ home: this.hostHome, lockTimeoutMs: 5000 }, files);
      return assessed.map((a) => {
        const verdict = packetVerdict(a.statuses);
        return new PacketNode(this.hostHome, a.file, a.header, a.header ? undefined : verdict.detail, verdict);
      });
    } catch {
      // not a readable host (or its replicas cannot be opened now): the headers still say what each packet is
    }
    return readHeaders(files).map((p) => {
      if (p.header) return new PacketNode(this.hostHome, p.file, p.header);
      return new PacketNode(this.hostHome, p.file, undefined, p.error instanceof Error ? p.error.message : String(p.error));
    });
  }

  static existing(hostHome: string, storageClass: string, bayKind: 'storage' | 'return', bay: string): BayFolderNode[] {
    return ['incoming', 'outgoing'].map((side) => path.join(bay, side)).filter((d) => fs.existsSync(d))
      .map((d) => new BayFolderNode(hostHome, storageClass, bayKind, d));
  }
}
