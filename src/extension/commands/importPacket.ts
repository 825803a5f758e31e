import * as path from 'path';
import { refuseUntrusted, show, stringField, type ActionContext } from './action';
import { runImport, type ImportActionResult } from './importRun';

export const IMPORT_PACKET_COMMAND = 'multisite.importPacket';

/**
 * multisite.importPacket (packet node; also `{ hostHome, file }`): `syncreplica -import FILE` at
 * the host whose bay holds the packet. Like the command line, an explicitly named packet stays
 * where it is once applied (Import Received removes what it applied from the bays).
 */
export function importPacket(ctx: ActionContext): (node?: unknown) => Promise<ImportActionResult> {
  return async (node) => {
    const refused = refuseUntrusted(ctx, 'Import');
    if (refused) return refused;
    const home = stringField(node, 'hostHome');
    const file = stringField(node, 'file');
    if (!home || !file) return show(ctx, { ok: false, severity: 'error', message: 'Choose the packet to import in the Packets view.' });
    return runImport(ctx, home, `Importing ${path.basename(file)}`, { sources: [file] }, `Nothing to import in ${file}.`);
  };
}
