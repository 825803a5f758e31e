import * as path from 'path';
import * as vscode from 'vscode';
import { packetTypeName } from '../../../engine/packet/lspacket';
import type { PacketHeader } from '../../../engine/packet/types';
import { SHOW_PACKET_COMMAND } from '../../commands/showPacket';
import type { PacketVerdict } from '../packetVerdict';
import type { TreeNode } from './treeNode';

/**
 * One physical packet file in a bay of host `hostHome`, described from its header alone (never
 * its body), or the reason its header cannot be read: nothing in a bay is hidden. The verdict
 * (what an import at this host would do) becomes the last contextValue segment, so menus offer
 * Import only for `packet:update:ready`.
 */
export class PacketNode implements TreeNode {
  constructor(readonly hostHome: string, readonly file: string, readonly header: PacketHeader | undefined, readonly error?: string,
    readonly verdict?: PacketVerdict) {}

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(path.basename(this.file), vscode.TreeItemCollapsibleState.None);
    item.id = `multisite.packets:${this.file}`;
    item.resourceUri = vscode.Uri.file(this.file);
    item.command = { command: SHOW_PACKET_COMMAND, title: 'Show Packet', arguments: [this] };
    const h = this.header;
    if (!h) {
      item.contextValue = 'packet:unreadable:damaged';
      item.iconPath = new vscode.ThemeIcon('warning');
      item.description = 'damaged: not a readable packet';
      item.tooltip = `${this.file}\n${this.error ?? ''}`;
      return item;
    }
    const v = this.verdict;
    item.contextValue = `packet:${h.kind}${v ? `:${v.state}` : ''}`;
    item.iconPath = new vscode.ThemeIcon(v?.state === 'waiting' ? 'watch' : v?.state === 'damaged' ? 'warning' : h.kind === 'creation' ? 'package' : 'mail');
    const fragment = h.fragment.count > 1 ? `, part ${h.fragment.index} of ${h.fragment.count}` : '';
    item.description = `${packetTypeName(h.kind)} ${h.origin.name}@${h.vobTag} #${h.sequence}${fragment}${v ? ` — ${v.description}` : ''}`;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${packetTypeName(h.kind)} packet** of \`${h.vobTag}\` from replica **${h.origin.name}** (host ${h.sendingHost})\n\n`);
    md.appendMarkdown(`- for: ${h.targets.map((t) => `${t.name} on ${t.host}`).join(', ') || 'no target'}\n`);
    md.appendMarkdown(`- sequence number ${h.sequence}${fragment}, created ${h.createdAt}\n`);
    if (h.comment) md.appendText(`- comment: ${h.comment}\n`);
    md.appendMarkdown(`- ${h.body.records} records, ${h.body.blobs} contents, ${h.body.length} bytes${h.body.compression !== 'none' ? ' (compressed)' : ''}\n`);
    if (v) {
      md.appendMarkdown('- at this host: ');
      md.appendText(`${v.description}${v.detail ? `: ${v.detail}` : ''}`);
    }
    item.tooltip = md;
    return item;
  }

  getChildren(): TreeNode[] {
    return [];
  }
}
