import * as vscode from 'vscode';
import { packetUri } from '../packetDocument';
import { show, stringField, type ActionContext, type ActionResult } from './action';

export const SHOW_PACKET_COMMAND = 'multisite.showPacket';

export interface ShowPacketResult extends ActionResult {
  /** The `multisite-packet:` document opened. */
  uri?: string;
}

/**
 * multisite.showPacket (a click on a packet node; also `{ file, hostHome }` or a file URI):
 * opens what `lspacket -long` prints for the packet in a read-only editor. Reads headers only,
 * so it is allowed in an untrusted workspace.
 */
export function showPacket(ctx: ActionContext): (arg?: unknown) => Promise<ShowPacketResult> {
  return async (arg) => {
    const file = arg instanceof vscode.Uri ? arg.fsPath : stringField(arg, 'file');
    if (!file) return show(ctx, { ok: false, severity: 'error', message: 'Choose the packet to show in the Packets view.' });
    const uri = packetUri(file, stringField(arg, 'hostHome') ?? stringField(arg, 'home'));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
    return { ok: true, severity: 'info', message: `Showing ${file}.`, uri: uri.toString() };
  };
}
