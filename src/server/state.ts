import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import type { Connection, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { knownHosts, nodeFileSystem, parseShippingConf, reparseShippingConf, type KnownHost } from '../engine/conf';
import { siteIniPath } from '../engine/host/siteIni';
import type { ConfDocument } from './document';
import type { CompletionContext, DirEntry } from './services/completion';
import { DEFAULT_SETTINGS, normalizeSettings, type ServerSettings } from './settings';

/** What the client told us at initialize. */
export interface ClientInfo {
  /** Client supports workspace/configuration. */
  configuration: boolean;
  snippets: boolean;
  /** Client command that shows a rule page (`initializationOptions.ruleDocsCommand`). */
  ruleDocsCommand?: string;
  /** Base URI for rule pages (`initializationOptions.ruleDocsBaseUri`), e.g. https://.../docs/rules/ */
  ruleDocsBaseUri?: string;
  /** Settings sent in initializationOptions, for clients without workspace/configuration. */
  initialSettings?: unknown;
  /** Milliseconds between the last change and validation. */
  validationDelay: number;
}

/** One empty list, so results cached per host list stay cached for files outside any home. */
const NO_HOSTS: KnownHost[] = [];

/** The rule pages shipped next to the bundle (dist/server.js → docs/rules). */
function shippedDocsDir(): string | undefined {
  for (const d of [path.join(__dirname, '..', 'docs', 'rules'), path.join(__dirname, '..', '..', 'docs', 'rules'), path.join(__dirname, '..', '..', '..', 'docs', 'rules')]) {
    if (fs.existsSync(d)) return d;
  }
  return undefined;
}

/**
 * The server's memory: open documents parsed once per version, settings per document, and the
 * host home each document belongs to with the hosts its site.ini knows.
 */
export class ServerState {
  client: ClientInfo = { configuration: false, snippets: false, validationDelay: 200 };
  private parsedCache = new Map<string, ConfDocument>();
  private settingsCache = new Map<string, Promise<ServerSettings>>();
  private pushedSettings: unknown;
  private hostCache = new Map<string, { mtime: number; hosts: KnownHost[] }>();
  private readonly docsDir = shippedDocsDir();

  constructor(
    readonly connection: Connection,
    readonly documents: TextDocuments<TextDocument>,
  ) {}

  /** The parsed document, reparsed only when its version changed. */
  document(uri: string): ConfDocument | undefined {
    const td = this.documents.get(uri);
    if (!td) return undefined;
    const hit = this.parsedCache.get(uri);
    if (hit && hit.version === td.version) return hit;
    let fsPath: string | undefined;
    if (uri.startsWith('file:')) {
      try {
        fsPath = fileURLToPath(uri);
      } catch {
        fsPath = undefined;
      }
    }
    // Typing changes a line or two: reuse the previous version's parse of every other line.
    const parsed = hit ? reparseShippingConf(hit.parsed, td.getText()) : parseShippingConf(td.getText());
    const doc: ConfDocument = { uri, version: td.version, parsed, fsPath };
    this.parsedCache.set(uri, doc);
    return doc;
  }

  forget(uri: string): void {
    this.parsedCache.delete(uri);
    this.settingsCache.delete(uri);
  }

  configurationChanged(pushed: unknown): void {
    this.pushedSettings = pushed;
    this.settingsCache.clear();
  }

  settings(uri: string): Promise<ServerSettings> {
    let s = this.settingsCache.get(uri);
    if (!s) {
      s = this.fetchSettings(uri);
      this.settingsCache.set(uri, s);
    }
    return s;
  }

  private async fetchSettings(uri: string): Promise<ServerSettings> {
    if (this.client.configuration) {
      try {
        const [section, hosts] = await this.connection.workspace.getConfiguration([
          { scopeUri: uri, section: 'multisite.shippingConf' },
          { scopeUri: uri, section: 'multisite.hosts' },
        ]);
        return normalizeSettings(section, hosts);
      } catch (e) {
        this.connection.console.warn(`Could not read settings, using defaults: ${(e as Error).message}`);
        return DEFAULT_SETTINGS;
      }
    }
    const pushed = (this.pushedSettings ?? this.client.initialSettings) as { multisite?: { shippingConf?: unknown; hosts?: unknown } } | undefined;
    return normalizeSettings(pushed?.multisite?.shippingConf, pushed?.multisite?.hosts);
  }

  /** The host home a document belongs to: the home it sits in, else the configured or default home. */
  homeFor(doc: ConfDocument, settings: ServerSettings): string | undefined {
    if (doc.fsPath) {
      const configDir = path.dirname(doc.fsPath);
      const home = path.dirname(configDir);
      if (path.basename(configDir) === 'config' && fs.existsSync(siteIniPath(home))) return home;
    }
    const candidates = [...settings.hosts, process.env.MULTISITE_HOME, path.join(os.homedir(), '.multisite')];
    return candidates.find((h): h is string => !!h && fs.existsSync(siteIniPath(h)));
  }

  hostsOf(home: string | undefined): KnownHost[] {
    if (!home) return NO_HOSTS;
    let mtime = -1;
    try {
      mtime = fs.statSync(siteIniPath(home)).mtimeMs;
    } catch {
      return NO_HOSTS;
    }
    const hit = this.hostCache.get(home);
    if (hit && hit.mtime === mtime) return hit.hosts;
    const hosts = knownHosts(home);
    this.hostCache.set(home, { mtime, hosts });
    return hosts;
  }

  ruleHref(code: string): string | undefined {
    if (this.client.ruleDocsCommand) return `command:${this.client.ruleDocsCommand}?${encodeURIComponent(JSON.stringify([code]))}`;
    if (this.client.ruleDocsBaseUri) return this.client.ruleDocsBaseUri.replace(/\/?$/, '/') + `${code}.md`;
    return this.docsDir ? pathToFileURL(path.join(this.docsDir, `${code}.md`)).toString() : undefined;
  }

  /** Everything a service may know about a document. */
  async context(doc: ConfDocument): Promise<CompletionContext> {
    const settings = await this.settings(doc.uri);
    const home = this.homeFor(doc, settings);
    const diskAllowed = settings.fileSystemChecks;
    return {
      settings,
      home,
      hosts: this.hostsOf(home),
      fs: diskAllowed ? nodeFileSystem : undefined,
      ruleHref: (code) => this.ruleHref(code),
      listDir: diskAllowed ? listDir : undefined,
    };
  }
}

function listDir(dir: string): DirEntry[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .map((d) => ({ name: d.name, isDirectory: d.isDirectory() || (d.isSymbolicLink() && isDir(path.join(dir, d.name))) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
