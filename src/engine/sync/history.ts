import * as fs from 'fs';
import * as path from 'path';
import { hostLayout } from '../host/layout';

/**
 * Import/export history in <home>/log/sync_history.log, one line per event, as the original
 * logs `import sync from replica "A" to replica "B"` with the row at import. Best effort: a
 * full disk must not fail an import that already succeeded.
 */
export function logHistory(home: string, line: string): void {
  try {
    const dir = hostLayout(home).log;
    fs.mkdirSync(dir, { recursive: true });
    fs.appendFileSync(path.join(dir, 'sync_history.log'), `${new Date().toISOString()} ${line}\n`);
  } catch {
    // history is informational
  }
}

export function formatRow(row: Record<string, number>, nameOf: (oid: string) => string): string {
  return Object.entries(row)
    .map(([k, v]) => `${nameOf(k)}=${v}`)
    .join(' ');
}
