import * as fs from 'fs';
import * as ini from 'ini';
import type { KeyObject } from 'crypto';
import { writeFileAtomic } from '../store/durable';
import { HostNotConfiguredError, PeerError } from './errors';
import { publicKeyFromText } from './keys';
import type { HostLayout } from './layout';

/** config/site.ini: this host and its peers, each with the public key its packets are checked against. */
export interface PeerInfo {
  name: string;
  address: string;
  port: number;
  /** base64 SPKI DER of the peer's Ed25519 key. */
  key: string;
  /** The peer's home directory when it lives on this machine (addpeer -home): lets chepoch -actual read it. */
  home?: string;
}

export interface SiteConfig {
  host: { name: string; address: string; port: number; key: string };
  peers: Record<string, PeerInfo>;
}

export const DEFAULT_PORT = 1130;

export function readSite(l: HostLayout): SiteConfig {
  let text: string;
  try {
    text = fs.readFileSync(l.siteIni, 'utf8');
  } catch {
    throw new HostNotConfiguredError(l.home, 'no config/site.ini');
  }
  const raw = ini.parse(text) as Record<string, Record<string, unknown>>;
  const h = raw.host;
  if (!h || typeof h.name !== 'string') throw new HostNotConfiguredError(l.home, 'config/site.ini has no [host] name');
  const peers: Record<string, PeerInfo> = {};
  const rawPeers = (raw.peer ?? {}) as Record<string, Record<string, unknown>>;
  for (const [name, p] of Object.entries(rawPeers)) {
    if (typeof p !== 'object' || p === null) continue;
    peers[name] = {
      name,
      address: String(p.address ?? ''),
      port: Number(p.port ?? DEFAULT_PORT),
      key: String(p.key ?? ''),
      ...(typeof p.home === 'string' && p.home ? { home: p.home } : {}),
    };
  }
  return {
    host: { name: h.name, address: String(h.address ?? '127.0.0.1'), port: Number(h.port ?? DEFAULT_PORT), key: String(h.key ?? '') },
    peers,
  };
}

export function writeSite(l: HostLayout, site: SiteConfig): void {
  const peer: Record<string, Record<string, string | number>> = {};
  for (const p of Object.values(site.peers)) {
    peer[p.name] = { address: p.address, port: p.port, key: p.key, ...(p.home ? { home: p.home } : {}) };
  }
  const text =
    '; MultiSite host identity and peers (written by mkhost and addpeer).\n' +
    ini.stringify({ host: { ...site.host }, peer }, { whitespace: true });
  writeFileAtomic(l.siteIni, text);
}

/** Key of this host or a configured peer: what packet verification checks signatures with. */
export function hostKeyLookup(site: SiteConfig): (host: string) => KeyObject | undefined {
  const cache = new Map<string, KeyObject | undefined>();
  return (host: string) => {
    if (cache.has(host)) return cache.get(host);
    const text = host === site.host.name ? site.host.key : Object.prototype.hasOwnProperty.call(site.peers, host) ? site.peers[host].key : undefined;
    let key: KeyObject | undefined;
    try {
      key = text ? publicKeyFromText(text) : undefined;
    } catch {
      throw new PeerError(`The public key of host "${host}" in config/site.ini is unreadable; run "multitool addpeer ${host} ..." again.`);
    }
    cache.set(host, key);
    return key;
  };
}
