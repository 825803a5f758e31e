import type { PacketStatus } from '../../engine/sync/assess';

/**
 * What the Packets view says about a packet for the host whose bay holds it, from the engine's
 * assessment of its header (assessPackets): one word for the contextValue (menus offer Import
 * only for `ready`), a short description and, where there is one, the engine's reason.
 */
export type PacketState = 'ready' | 'waiting' | 'applied' | 'old-incarnation' | 'creation' | 'elsewhere' | 'damaged';

export interface PacketVerdict {
  state: PacketState;
  description: string;
  detail?: string;
}

const DESCRIPTION: Record<PacketState, string> = {
  ready: 'ready',
  waiting: 'waiting for predecessors',
  applied: 'already applied',
  'old-incarnation': 'for an old incarnation',
  creation: 'replica creation',
  elsewhere: 'not for this host',
  damaged: 'damaged',
};

/**
 * One verdict from the per-target statuses, the most useful first: a packet that can be applied
 * to one local replica is ready even if it also waits at another.
 */
export function packetVerdict(statuses: readonly PacketStatus[]): PacketVerdict {
  const verdict = (state: PacketState, detail?: string): PacketVerdict => ({ state, description: DESCRIPTION[state], ...(detail ? { detail } : {}) });
  const unreadable = statuses.find((s) => s.state === 'unreadable');
  if (unreadable) return verdict('damaged', unreadable.reason);
  if (statuses.some((s) => s.state === 'applicable')) return verdict('ready');
  for (const s of statuses) {
    if (s.state === 'waiting') return verdict('waiting', `Packet requires changes up to ${s.wanted}; VOB has only ${s.have} from replica "${s.from}".`);
  }
  for (const s of statuses) {
    if (s.state === 'old-incarnation') return verdict('old-incarnation', `Replica incarnation for "${s.replica}" is old: ${s.packet} should be ${s.actual}.`);
  }
  if (statuses.some((s) => s.state === 'applied')) return verdict('applied');
  for (const s of statuses) {
    if (s.state === 'creation') return verdict('creation', `A replica-creation packet for ${s.replica} on host ${s.host}: apply it with "multitool mkreplica -import".`);
  }
  const hosts = [...new Set(statuses.flatMap((s) => (s.state === 'other-host' ? [`${s.replica} on ${s.host}`] : [])))];
  return verdict('elsewhere', hosts.length ? `For ${hosts.join(', ')}; no target replica is on this host.` : 'The packet names no target replica.');
}
