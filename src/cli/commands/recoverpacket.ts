import type { CommandSpec } from '../command';
import { UsageError } from '../../engine/errors';
import { recoverpacket as recover } from '../../engine/sync/epochs';
import { engineContext } from './engineContext';

const usage = 'recoverpacket [-since DATE-TIME] REPLICA@TAG...';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Accepts ISO 8601 and the forms Date understands; "dd-Mon-yyyy.hh:mm:ss" as the original prints. */
export function parseSince(text: string): Date {
  const orig = /^(\d{1,2})-([A-Za-z]{3})-(\d{2,4})(?:\.(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  const d = orig
    ? new Date(`${orig[2]} ${orig[1]} ${orig[3].length === 2 ? `20${orig[3]}` : orig[3]} ${orig[4] ?? '00'}:${orig[5] ?? '00'}:${orig[6] ?? '00'}`)
    : new Date(text);
  if (Number.isNaN(d.getTime())) throw new UsageError(`Invalid date-time "${text}": use e.g. 2026-11-21T14:30:00Z or 21-Nov-2026.14:30.`, usage);
  // Date rolls 31-Feb over into March; a date that does not exist is a typo, not a time.
  const iso = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  const ymd = orig ? [Number(orig[3].length === 2 ? `20${orig[3]}` : orig[3]), MONTHS.indexOf(orig[2].toLowerCase()) + 1, Number(orig[1])] : iso ? [Number(iso[1]), Number(iso[2]), Number(iso[3])] : undefined;
  if (ymd && !(ymd[1] >= 1 && ymd[1] <= 12 && ymd[2] >= 1 && ymd[2] <= new Date(Date.UTC(ymd[0], ymd[1], 0)).getUTCDate())) {
    throw new UsageError(`Invalid date-time "${text}": there is no such day.`, usage);
  }
  return d;
}

export const recoverpacket: CommandSpec = {
  name: 'recoverpacket',
  usage,
  options: [
    { name: 'since', kind: 'value' },
  ],
  async run(ctx, args) {
    if (args.operands.length === 0) throw new UsageError('Missing replica (REPLICA@VOB-TAG).', usage);
    const since = args.values.has('since') ? parseSince(args.values.get('since') as string) : undefined;
    const results = await recover(engineContext(ctx), { replicas: args.operands, since });
    for (const r of results) {
      for (const c of r.changes) ctx.out(`Entry for ${c.origin} changed from: ${c.from} to ${c.to}`);
      // Without -since the row goes back to before the last export, with it to after an export:
      // the same words for both told the administrator the lost packet's changes were not resent.
      if (r.since && r.point === 'before') ctx.out(`Row for replica "${r.replica}" reset to where it was before the export of ${r.since}: the next export to it resends the changes of that export and after.`);
      else ctx.out(`Row for replica "${r.replica}" reset${r.since ? ` to where it was after the export of ${r.since}` : ' to the start'}: the next export to it resends the changes after that.`);
    }
  },
};
