import { SelectorError } from './errors';

/** `NAME@TAG` or `replica:NAME@TAG`: a replica of the family of the local VOB TAG. */
export interface ReplicaSelector {
  name: string;
  tag: string;
}

export function parseReplicaSelector(text: string): ReplicaSelector {
  const t = text.startsWith('replica:') ? text.slice('replica:'.length) : text;
  const at = t.indexOf('@');
  if (at <= 0 || at === t.length - 1) throw new SelectorError(`"${text}" is not a replica selector: use NAME@VOB-TAG or replica:NAME@VOB-TAG.`);
  return { name: t.slice(0, at), tag: t.slice(at + 1) };
}

/** `HOST:REPLICA@TAG` (mkreplica -export). */
export function parseHostReplicaSelector(text: string): ReplicaSelector & { host: string } {
  const colon = text.indexOf(':');
  const at = text.indexOf('@');
  if (colon <= 0 || at < colon + 2 || text.startsWith('replica:')) {
    throw new SelectorError(`"${text}" does not name a new replica: use HOST:REPLICA@VOB-TAG.`);
  }
  return { host: text.slice(0, colon), ...parseReplicaSelector(text.slice(colon + 1)) };
}
