import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { MultiSiteApi } from '../../../src/extension/extension';

export const EXTENSION_ID = 'openmultisite.multisite';

export function extension(): vscode.Extension<MultiSiteApi> {
  const ext = vscode.extensions.getExtension<MultiSiteApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not loaded in this extension host`);
  return ext;
}

export async function api(): Promise<MultiSiteApi> {
  return extension().activate();
}

/** Polls until `probe` returns a truthy value (the workbench answers asynchronously). */
export async function eventually<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 10000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A temp host home with config/site.ini (and optionally shipping.conf); removed by the caller. */
export function makeHostHome(name: string, extra: { siteIni?: string; shippingConf?: string } = {}): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `ms-host-${name}-`));
  fs.mkdirSync(path.join(home, 'config'), { recursive: true });
  fs.writeFileSync(path.join(home, 'config', 'site.ini'), extra.siteIni ?? `[host]\nname = ${name}\naddress = 127.0.0.1\nport = 7001\n`);
  if (extra.shippingConf !== undefined) fs.writeFileSync(path.join(home, 'config', 'shipping.conf'), extra.shippingConf);
  return home;
}

/** Sets multisite.hosts (undefined = back to the default) and waits until the extension re-read it. */
export async function setHosts(a: MultiSiteApi, homes: string[] | undefined): Promise<void> {
  const reloaded = new Promise<void>((resolve) => {
    const sub = a.hosts.onDidChange(() => { sub.dispose(); resolve(); });
  });
  await vscode.workspace.getConfiguration().update('multisite.hosts', homes, vscode.ConfigurationTarget.Global);
  const same = JSON.stringify(a.hosts.configuredHomes()) === JSON.stringify(homes ?? a.hosts.configuredHomes());
  if (!same) await reloaded;
  await eventually(() => JSON.stringify(a.hosts.homes.map((h) => h.home)) === JSON.stringify(a.hosts.configuredHomes()), 'the host list to follow the setting');
}
