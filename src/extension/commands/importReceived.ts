import * as vscode from 'vscode';
import { cancelled, fields, hostName, refuseUntrusted, show, stringField, type ActionContext, type ActionResult } from './action';
import { runImport, type ImportActionResult } from './importRun';

export const IMPORT_RECEIVED_COMMAND = 'multisite.importReceived';

/**
 * multisite.importReceived (title of the Packets view, a host node, the palette; also a home
 * directory or `{ home }`): `syncreplica -import -receive` at a host: every packet in the
 * incoming folders of its storage bays, each removed once applied.
 */
export function importReceived(ctx: ActionContext): (arg?: unknown) => Promise<ImportActionResult> {
  return async (arg) => {
    const refused = refuseUntrusted(ctx, 'Import');
    if (refused) return refused;
    const home = typeof arg === 'string' ? arg : stringField(arg, 'home') ?? stringField(fields(arg).host, 'home') ?? await pickHost(ctx);
    if (home === undefined) return ctx.hosts.hasHost ? cancelled('Import') : show(ctx, noHost());
    const name = hostName(ctx, home);
    return runImport(ctx, home, `Importing the packets received at ${name}`, { sources: [], receive: true },
      `No packets to import in the incoming storage bays of ${name}.`);
  };
}

function noHost(): ActionResult {
  return { ok: false, severity: 'error', message: 'No MultiSite host is configured: list host homes in the setting multisite.hosts.' };
}

async function pickHost(ctx: ActionContext): Promise<string | undefined> {
  const hosts = ctx.hosts.homes.filter((h) => h.site);
  if (hosts.length <= 1) return hosts[0]?.home;
  const picked = await vscode.window.showQuickPick(hosts.map((h) => ({ label: h.site?.name ?? h.home, description: h.home, home: h.home })),
    { title: 'Import received packets at which host?' });
  return picked?.home;
}
