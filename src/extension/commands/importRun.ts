import * as path from 'path';
import type { ImportRequest } from '../../engine/sync/import';
import { hostName, runAction, type ActionContext } from './action';
import { summarize, type ImportActionResult } from './importSummary';
import { engine } from '../engine';

export type { ImportActionResult, ImportCounts } from './importSummary';

/**
 * Runs `syncreplica -import` at host `home` under a progress notification and sums its events up
 * in one message: applied, already applied, waiting for predecessors (with the engine's reason),
 * skipped, quarantined (with the reason and where the packet went), failed.
 */
export async function runImport(ctx: ActionContext, home: string, title: string, request: Omit<ImportRequest, 'onEvent'>, nothing: string): Promise<ImportActionResult> {
  return runAction(ctx, title, async (progress) => {
    const { importSync } = engine();
    const result = await importSync({ home, lockTimeoutMs: 30_000, onWait: (m) => progress.report({ message: m }) }, {
      ...request,
      onEvent: (e) => {
        if (e.type !== 'removed') progress.report({ message: `${e.type} ${path.basename(e.packet)}` });
      },
    });
    return summarize(result.events, nothing, hostName(ctx, home));
  });
}
