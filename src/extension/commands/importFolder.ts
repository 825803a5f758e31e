import { refuseUntrusted, show, stringField, type ActionContext } from './action';
import { runImport, type ImportActionResult } from './importRun';

export const IMPORT_FOLDER_COMMAND = 'multisite.importFolder';

/**
 * multisite.importFolder (bay-folder node of the Packets view; also `{ hostHome, dir }`):
 * `syncreplica -import DIR`, every packet in the folder, in the order their contents need.
 */
export function importFolder(ctx: ActionContext): (node?: unknown) => Promise<ImportActionResult> {
  return async (node) => {
    const refused = refuseUntrusted(ctx, 'Import');
    if (refused) return refused;
    const home = stringField(node, 'hostHome');
    const dir = stringField(node, 'dir');
    if (!home || !dir) return show(ctx, { ok: false, severity: 'error', message: 'Choose the bay folder to import in the Packets view.' });
    return runImport(ctx, home, `Importing the packets in ${dir}`, { sources: [dir] }, `No packets to import in ${dir}.`);
  };
}
