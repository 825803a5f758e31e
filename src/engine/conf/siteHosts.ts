import * as fs from 'fs';
import { readSiteIni, siteIniPath } from '../host/siteIni';

/** A host named in a host home's config/site.ini: the host itself or one of its peers. */
export interface KnownHost {
  name: string;
  address?: string;
  port?: number;
  /** True for the home's own host ([host] section). */
  self: boolean;
  /** site.ini and the 0-based line of the host's section header, for go-to-definition. */
  file: string;
  line: number;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The hosts a ROUTE may name that this home knows: itself and its peers, with where each is
 * declared. Empty when the home has no site.ini. Used for completion, hover and navigation.
 */
export function knownHosts(home: string): KnownHost[] {
  let site;
  try {
    site = readSiteIni(home);
  } catch {
    return [];
  }
  if (!site) return [];
  const file = siteIniPath(home);
  let lines: string[] = [];
  try {
    lines = fs.readFileSync(file, 'utf8').split(/\r\n|\r|\n/);
  } catch {
    // read just now by readSiteIni; a race leaves us without line numbers only
  }
  const lineOf = (re: RegExp): number => Math.max(0, lines.findIndex((l) => re.test(l)));
  const hosts: KnownHost[] = [{ name: site.name, address: site.address, port: site.port, self: true, file, line: lineOf(/^\s*\[(host|site)\]/) }];
  for (const p of site.peers) {
    const n = escapeRegExp(p.name);
    hosts.push({ name: p.name, address: p.address, port: p.port, self: false, file, line: lineOf(new RegExp(`^\\s*\\[peer(\\.${n}|\\s+"?${n}"?)\\]`)) });
  }
  return hosts;
}
