import { buildShippingConf, entryAtLine, type ShippingConf, type ConfEntry, type ConfToken, type ParsedShippingConf, type KnownHost, type ConfFileSystem } from '../engine/conf';
import type { ServerSettings } from './settings';

/** One open shipping.conf as the services see it: parsed once per version. */
export interface ConfDocument {
  uri: string;
  version: number;
  parsed: ParsedShippingConf;
  /** Path on disk when the document is a file: URI. */
  fsPath?: string;
}

/** What the services may know beyond the text: settings, the host home, the disk (when allowed). */
export interface ServiceContext {
  settings: ServerSettings;
  /** Hosts from the host home's site.ini. */
  hosts: KnownHost[];
  /** The host home the document belongs to, if any. */
  home?: string;
  /** The file system, or undefined when file-system checks are off (untrusted or remote workspace). */
  fs?: ConfFileSystem;
  /** Link for a rule's documentation page. */
  ruleHref(code: string): string | undefined;
}

export interface Position {
  line: number;
  character: number;
}

/** What sits under the cursor. */
export interface TokenAt {
  entry?: ConfEntry;
  /** -1 for the keyword, else the argument index; undefined on whitespace. */
  index?: number;
  token?: ConfToken;
  /** Argument index the cursor would type next (on whitespace after the keyword). */
  nextIndex?: number;
  /** The cursor is in a comment. */
  comment?: ConfToken;
}

export function tokenAt(parsed: ParsedShippingConf, pos: Position): TokenAt {
  const entry = entryAtLine(parsed, pos.line);
  if (!entry) {
    const c = parsed.comments.find((x) => x.line === pos.line);
    return c && pos.character >= c.token.start ? { comment: c.token } : {};
  }
  if (entry.trailingComment && pos.character > entry.trailingComment.start) return { entry, comment: entry.trailingComment };
  const c = pos.character;
  if (c >= entry.keyword.start && c <= entry.keyword.end) return { entry, index: -1, token: entry.keyword };
  for (let i = 0; i < entry.args.length; i++) {
    const t = entry.args[i];
    if (c >= t.start && c <= t.end) return { entry, index: i, token: t };
  }
  let next = 0;
  while (next < entry.args.length && entry.args[next].end < c) next++;
  return c < entry.keyword.start ? {} : { entry, nextIndex: next };
}

const models = new WeakMap<ParsedShippingConf, { home: string | undefined; conf: ShippingConf }>();

/** The configuration a document describes, computed once per parse. */
export function modelOf(doc: ConfDocument, ctx: Pick<ServiceContext, 'home'>): ShippingConf {
  const hit = models.get(doc.parsed);
  if (hit && hit.home === ctx.home) return hit.conf;
  const conf = buildShippingConf(doc.parsed, { home: ctx.home });
  models.set(doc.parsed, { home: ctx.home, conf });
  return conf;
}
