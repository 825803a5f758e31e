import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { defaultHome } from '../engine/host/home';
import { readSiteIni, type SiteIni } from '../engine/host/siteIni';

/** A configured host home and, when it is a host (has config/site.ini), what site.ini says. */
export interface HostHome {
  home: string;
  site?: SiteIni;
  /** Why site.ini could not be read, when it exists but is broken. */
  error?: string;
}

export const HOSTS_SETTING = 'multisite.hosts';
export const HAS_HOST_CONTEXT = 'multisite.hasHost';

/**
 * The host homes the views show: the setting multisite.hosts, else MULTISITE_HOME, else
 * ~/.multisite. Keeps the context key multisite.hasHost (which hides the welcome views) in step.
 */
export class HostHomes implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private current: HostHome[] = [];
  private readonly subscriptions: vscode.Disposable[] = [this.changed];

  constructor(private readonly log: vscode.LogOutputChannel, private readonly env: NodeJS.ProcessEnv = process.env) {
    this.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(HOSTS_SETTING)) this.reload();
    }));
  }

  get homes(): readonly HostHome[] {
    return this.current;
  }

  /** True when at least one configured home is a host. */
  get hasHost(): boolean {
    return this.current.some((h) => h.site !== undefined);
  }

  /** The configured home directories, absolute, in setting order, without duplicates. */
  configuredHomes(): string[] {
    const configured = vscode.workspace.getConfiguration().get<string[]>(HOSTS_SETTING, []).filter((h) => typeof h === 'string' && h.trim() !== '');
    const homes = configured.length ? configured.map(expandHome) : [defaultHome(this.env)];
    return [...new Set(homes.map((h) => path.resolve(h)))];
  }

  /** Re-reads the setting and every home's site.ini, then tells the views. */
  reload(): void {
    this.current = this.configuredHomes().map((home) => {
      try {
        return { home, site: readSiteIni(home) };
      } catch (e) {
        this.log.warn(`Cannot read ${home}/config/site.ini: ${(e as Error).message}`);
        return { home, error: (e as Error).message };
      }
    });
    const hosts = this.current.filter((h) => h.site).map((h) => `${h.site?.name} (${h.home})`);
    this.log.info(hosts.length ? `Hosts: ${hosts.join(', ')}` : `No host in ${this.current.map((h) => h.home).join(', ')}`);
    void vscode.commands.executeCommand('setContext', HAS_HOST_CONTEXT, this.hasHost);
    this.changed.fire();
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}
