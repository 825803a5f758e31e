import * as path from 'path';
import type { ImportEvent } from '../../engine/sync/import';

/** How many import events of each kind, for the tests and scripts that run the import commands. */
export interface ImportCounts {
  applied: number;
  already: number;
  waiting: number;
  skipped: number;
  quarantined: number;
  failed: number;
  removed: number;
}

/** An ActionResult (./action.ts) of the import commands; no `vscode` here, so it is unit-tested in plain Node. */
export interface ImportActionResult {
  ok: boolean;
  severity: 'info' | 'warning' | 'error';
  message: string;
  cancelled?: boolean;
  counts?: ImportCounts;
}

function plural(n: number, one: string): string {
  return `${n} ${n === 1 ? one : `${one}s`}`;
}

/**
 * The events of one `syncreplica -import` in one message: applied (with the number of changes),
 * already applied, waiting for predecessors, skipped, quarantined and failed, each with the
 * engine's reasons. An error when anything was quarantined or failed, a warning when a packet
 * waits or was skipped.
 */
export function summarize(events: readonly ImportEvent[], nothing: string, host?: string): ImportActionResult {
  const counts: ImportCounts = { applied: 0, already: 0, waiting: 0, skipped: 0, quarantined: 0, failed: 0, removed: 0 };
  let ops = 0;
  const reasons = { waiting: new Set<string>(), skipped: new Set<string>(), quarantined: new Set<string>(), failed: new Set<string>() };
  for (const e of events) {
    switch (e.type) {
      case 'applied':
        counts.applied++;
        ops += e.ops;
        break;
      case 'already':
        counts.already++;
        break;
      case 'pending':
        counts.waiting++;
        reasons.waiting.add(about(e.packet, e.error.message.replace(/\.$/, '')));
        break;
      case 'skipped':
        counts.skipped++;
        reasons.skipped.add(e.reason);
        break;
      case 'quarantined':
        counts.quarantined++;
        reasons.quarantined.add(`${about(e.packet, e.reason.replace(/\.$/, ''))}; the packet was moved to ${e.to}`);
        break;
      case 'failed':
        counts.failed++;
        reasons.failed.add(about(e.packet, e.error.message.replace(/\.$/, '')));
        break;
      case 'removed':
        counts.removed++;
        break;
    }
  }
  if (events.length === 0) return { ok: true, severity: 'info', message: nothing, counts };
  const parts: string[] = [];
  if (counts.applied) parts.push(`${counts.applied} applied (${plural(ops, 'change')})`);
  if (counts.already) parts.push(`${counts.already} already applied`);
  const why = (s: Set<string>): string => ` (${[...s].join('; ')})`;
  if (counts.waiting) parts.push(`${counts.waiting} waiting for predecessors${why(reasons.waiting)}`);
  if (counts.skipped) parts.push(`${counts.skipped} skipped${why(reasons.skipped)}`);
  if (counts.quarantined) parts.push(`${counts.quarantined} quarantined${why(reasons.quarantined)}`);
  if (counts.failed) parts.push(`${counts.failed} failed${why(reasons.failed)}`);
  if (counts.removed) parts.push(`${plural(counts.removed, 'packet')} removed from the bays`);
  const bad = counts.quarantined + counts.failed > 0;
  const ok = !bad && counts.waiting === 0;
  return { ok, severity: bad ? 'error' : ok && counts.skipped === 0 ? 'info' : 'warning', message: `Import${host ? ` at ${host}` : ''}: ${parts.join(', ')}.`, counts };
}

/** The engine's reason, led by the packet's name unless the reason already names it. */
function about(packet: string, reason: string): string {
  return reason.includes(packet) ? reason : `${path.basename(packet)}: ${reason}`;
}
