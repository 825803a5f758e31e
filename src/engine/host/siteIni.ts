import * as fs from 'fs';
import * as path from 'path';
import * as ini from 'ini';

/** This host's identity and peers as written in config/site.ini (DESIGN: "The host home"). */
export interface SiteIni {
  /** This host's name; the home directory's name when site.ini does not say. */
  name: string;
  address?: string;
  port?: number;
  peers: SitePeer[];
}

export interface SitePeer {
  name: string;
  address?: string;
  port?: number;
}

export function siteIniPath(home: string): string {
  return path.join(home, 'config', 'site.ini');
}

/** True when `home` is a host home: it has config/site.ini. */
export function isHostHome(home: string): boolean {
  return fs.existsSync(siteIniPath(home));
}

/**
 * Reads config/site.ini of a host home; undefined when the home has none. The host is the
 * [host] section (name, address, port); every [peer.NAME] (or [peer "NAME"]) section is a peer.
 * Lenient on purpose: a hand-edited file still yields a name for the views.
 */
export function readSiteIni(home: string): SiteIni | undefined {
  let text: string;
  try {
    text = fs.readFileSync(siteIniPath(home), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const doc = ini.parse(text) as Record<string, unknown>;
  const host = section(doc, 'host') ?? section(doc, 'site') ?? {};
  const peers: SitePeer[] = [];
  for (const [key, value] of Object.entries(section(doc, 'peer') ?? {})) {
    const s = asRecord(value);
    if (s) peers.push({ name: key.replace(/^"|"$/g, ''), address: str(s.address), port: num(s.port) });
  }
  for (const [key, value] of Object.entries(doc)) {
    const m = /^peer\s+"?([^"]+)"?$/.exec(key);
    const s = asRecord(value);
    if (m && s) peers.push({ name: m[1], address: str(s.address), port: num(s.port) });
  }
  return {
    name: str(host.name) ?? str(doc.name) ?? path.basename(path.resolve(home)),
    address: str(host.address),
    port: num(host.port),
    peers,
  };
}

function section(doc: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  return asRecord(doc[name]);
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isInteger(n) ? n : undefined;
}
