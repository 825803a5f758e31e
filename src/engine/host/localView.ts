import { hostLayout } from './layout';
import { listVobTags } from './registry';
import { readSiteIni } from './siteIni';

/**
 * How a packet listing looks from host `home` (lspacket, the editor's packet document): this
 * host's name, to mark targets local or not, and the tags its replicas are mounted under, which
 * only the receiver knows. Never throws: a packet is listed all the same without them.
 */
export function localView(home: string): { localHost?: string; localTags: Map<string, string> } {
  let localHost: string | undefined;
  try {
    localHost = readSiteIni(home)?.name;
  } catch {
    localHost = undefined;
  }
  let localTags = new Map<string, string>();
  try {
    localTags = new Map(listVobTags(hostLayout(home)).map((e) => [e.replicaOid, e.tag]));
  } catch {
    // not a host home, or an unreadable registry
  }
  return { localHost, localTags };
}
