import * as path from 'path';
import * as vscode from 'vscode';
import { configuredClasses, loadShippingConf, storageClassFor } from '../../engine/conf';
import { parseSizeOption } from '../../engine/size';
import { cancelled, errorResult, fields, plural, refuseUntrusted, runAction, show, stringField, type ActionContext, type ActionResult } from './action';
import { engine } from '../engine';

export const EXPORT_TO_REPLICA_COMMAND = 'multisite.exportToReplica';

/**
 * Options of `syncreplica -export`. Given to the command (a script, the tests), they replace the
 * pickers: `out` the folder picker, the object itself the options pick.
 */
export interface ExportOptions {
  /** -out: an existing folder, or a packet file name (fragments get _1, _2...). */
  out?: string;
  compress?: boolean;
  /** -maxsize as the command line takes it: 500k, 20m, 1g (no suffix = KB). */
  maxsize?: string;
  comment?: string;
}

export interface ExportActionResult extends ActionResult {
  /** The packet files written, absolute. */
  packets?: string[];
}

/** The replica node (view/treeNodes/replicaNode.ts) the command is invoked on, read by shape. */
interface ExportTarget {
  hostHome: string;
  tag: string;
  replica: string;
  self: boolean;
}

function targetOf(node: unknown): ExportTarget | undefined {
  const hostHome = stringField(node, 'hostHome');
  const tag = stringField(fields(node).vob, 'tag');
  const replica = stringField(fields(node).replica, 'name');
  if (!hostHome || !tag || !replica) return undefined;
  return { hostHome, tag, replica, self: fields(node).replica !== undefined && fields(fields(node).replica).self === true };
}

/**
 * multisite.exportToReplica (replica node, inline and context menu): exports the changes of the
 * host's local replica that the chosen sibling lacks, as `syncreplica -export` does, into the
 * outgoing folder of a storage bay of shipping.conf or a folder the user picks.
 */
export function exportToReplica(ctx: ActionContext): (node?: unknown, options?: ExportOptions) => Promise<ExportActionResult> {
  return async (node, options) => {
    const refused = refuseUntrusted(ctx, 'Export');
    if (refused) return refused;
    const t = targetOf(node);
    if (!t) return show(ctx, { ok: false, severity: 'error', message: 'Choose the replica to export to in the Replicas view.' });
    if (t.self) return show(ctx, { ok: false, severity: 'error', message: `A replica cannot update itself: "${t.replica}".` });
    let out = options?.out;
    try {
      out ??= await pickOutput(t);
      if (out === undefined) return cancelled('Export');
      const chosen = options ?? await pickOptions();
      if (chosen === undefined) return cancelled('Export');
      const maxBytes = chosen.maxsize ? parseSizeOption('-maxsize', chosen.maxsize) : undefined;
      const to = out;
      return await runAction(ctx, `Exporting ${t.tag} to ${t.replica}`, async (progress) => {
        const { exportSync } = engine();
        const warnings: string[] = [];
        const result = await exportSync({ home: t.hostHome, lockTimeoutMs: 30_000, onWait: (m) => progress.report({ message: m }) }, {
          targets: [`${t.replica}@${t.tag}`],
          out: to,
          maxBytes,
          compress: chosen.compress === true,
          comment: chosen.comment,
          onWarning: (w) => warnings.push(w),
          onPacket: (p) => progress.report({ message: `Generating synchronization packet ${path.basename(p.path)}` }),
        });
        const v = result.vobs[0];
        const files = v ? v.packets.map((p) => path.basename(p.path)) : [];
        const dir = v?.packets[0] ? path.dirname(v.packets[0].path) : to;
        const message = `Exported ${plural(v?.ops ?? 0, 'change')} of ${t.tag} to ${t.replica}: ${files.length === 1 ? 'packet' : 'packets'} ${files.join(', ')} in ${dir}.` +
          (warnings.length ? ` ${warnings.join(' ')}` : '');
        const done: ExportActionResult = { ok: true, severity: warnings.length ? 'warning' : 'info', message, packets: v?.packets.map((p) => p.path) ?? [] };
        return done;
      });
    } catch (e) {
      return show(ctx, errorResult(ctx, e));
    }
  };
}

/**
 * Where the packet goes: the outgoing folder of a storage bay of the host's shipping.conf (the
 * -default class first; a replica has no class of its own) or a folder picked in a dialog.
 */
async function pickOutput(t: ExportTarget): Promise<string | undefined> {
  const items: (vscode.QuickPickItem & { dir?: string })[] = [];
  try {
    const conf = loadShippingConf(t.hostHome);
    const classes = configuredClasses(conf).sort((a, b) => (a === '-default' ? -1 : b === '-default' ? 1 : a.localeCompare(b)));
    for (const name of classes) {
      for (const bay of storageClassFor(conf, name).storageBays) {
        const dir = path.join(path.resolve(t.hostHome, bay), 'outgoing');
        items.push({ label: `$(arrow-up) ${name} outgoing`, description: dir, dir });
      }
    }
  } catch {
    // an unreadable shipping.conf: the folder picker is still there
  }
  const other = { label: '$(folder) Choose a folder…', description: 'any folder, e.g. one that is copied to the other site' };
  const picked = items.length ? await vscode.window.showQuickPick([...items, other], { title: `Export ${t.tag} to ${t.replica}: where should the packet go?` }) : other;
  if (!picked) return undefined;
  // A trailing separator makes -out mean "this directory": a missing bay folder is then an
  // error, not the name of a packet file written next to it.
  if ('dir' in picked && picked.dir) return picked.dir + path.sep;
  const uris = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Write the packet here', title: `Export ${t.tag} to ${t.replica}` });
  return uris?.[0] ? uris[0].fsPath + path.sep : undefined;
}

async function pickOptions(): Promise<ExportOptions | undefined> {
  const items: (vscode.QuickPickItem & { key: 'compress' | 'maxsize' | 'comment' })[] = [
    { key: 'compress', label: '-compress', description: 'compress the packet body (gzip)' },
    { key: 'maxsize', label: '-maxsize…', description: 'split into packets of at most this size' },
    { key: 'comment', label: '-c…', description: 'a comment stored in the packet header' },
  ];
  const picked = await vscode.window.showQuickPick(items, { canPickMany: true, title: 'Export options (none: a plain packet)', placeHolder: 'Press Enter to export' });
  if (!picked) return undefined;
  const options: ExportOptions = { compress: picked.some((p) => p.key === 'compress') };
  if (picked.some((p) => p.key === 'maxsize')) {
    const size = await vscode.window.showInputBox({
      title: '-maxsize', prompt: 'Largest packet: a number with k, m or g (no suffix = KB)', value: '50m',
      validateInput: (v) => {
        try {
          parseSizeOption('-maxsize', v.trim());
          return undefined;
        } catch (e) {
          return (e as Error).message;
        }
      },
    });
    if (size === undefined) return undefined;
    options.maxsize = size.trim();
  }
  if (picked.some((p) => p.key === 'comment')) {
    const comment = await vscode.window.showInputBox({ title: '-c', prompt: 'Comment stored in the packet header' });
    if (comment === undefined) return undefined;
    options.comment = comment;
  }
  return options;
}
