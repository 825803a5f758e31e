import * as path from 'path';
import * as vscode from 'vscode';
import { packetTypeName, type PacketHeader } from '../../../engine/packet';
import type { TreeNode } from './treeNode';

/**
 * One physical packet file in a bay, described from its header alone (never its body), or the
 * reason its header cannot be read: nothing in a bay is hidden.
 */
export class PacketNode implements TreeNode {
  constructor(readonly file: string, readonly header: PacketHeader | undefined, readonly error?: string) {}

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(path.basename(this.file), vscode.TreeItemCollapsibleState.None);
    item.id = `multisite.packets:${this.file}`;
    item.resourceUri = vscode.Uri.file(this.file);
    const h = this.header;
    if (!h) {
      item.contextValue = 'packet:unreadable';
      item.iconPath = new vscode.ThemeIcon('warning');
      item.description = 'not a readable packet';
      item.tooltip = `${this.file}\n${this.error ?? ''}`;
      return item;
    }
    item.contextValue = `packet:${h.kind}`;
    item.iconPath = new vscode.ThemeIcon(h.kind === 'creation' ? 'package' : 'mail');
    const fragment = h.fragment.count > 1 ? `, part ${h.fragment.index} of ${h.fragment.count}` : '';
    item.description = `${packetTypeName(h.kind)} ${h.origin.name}@${h.vobTag} #${h.sequence}${fragment}`;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${packetTypeName(h.kind)} packet** of \`${h.vobTag}\` from replica **${h.origin.name}** (host ${h.sendingHost})\n\n`);
    md.appendMarkdown(`- for: ${h.targets.map((t) => `${t.name} on ${t.host}`).join(', ') || 'no target'}\n`);
    md.appendMarkdown(`- sequence number ${h.sequence}${fragment}, created ${h.createdAt}\n`);
    if (h.comment) md.appendText(`- comment: ${h.comment}\n`);
    md.appendMarkdown(`- ${h.body.records} records, ${h.body.blobs} contents, ${h.body.length} bytes${h.body.compression === 'gzip' ? ' (compressed)' : ''}`);
    item.tooltip = md;
    return item;
  }

  getChildren(): TreeNode[] {
    return [];
  }
}
