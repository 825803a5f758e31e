import * as vscode from 'vscode';
import { MultiSiteError, isMultiSiteError } from '../../engine/errors';
import type { HostHomes } from '../hostHomes';

/** What every command of src/extension/commands/ works with. */
export interface ActionContext {
  hosts: HostHomes;
  log: vscode.LogOutputChannel;
  /**
   * vscode.workspace.isTrusted. A function, not the property read in place, so the
   * extension-host tests can run a command as it runs in an untrusted workspace.
   */
  isTrusted(): boolean;
}

/**
 * What a command returns to executeCommand (the tests read it) besides showing `message`:
 * `severity` picks the notification (information, warning, error).
 */
export interface ActionResult {
  ok: boolean;
  severity: 'info' | 'warning' | 'error';
  message: string;
  cancelled?: boolean;
}

/** Export and import write replicas and packets on this machine: refused in an untrusted workspace. */
export class UntrustedWorkspaceError extends MultiSiteError {
  constructor(readonly action: string) {
    super(`${action} is disabled in an untrusted workspace: it writes replicas and packets on this machine. Trust the workspace (Workspaces: Manage Workspace Trust) to use it.`);
  }
}

export function cancelled(what: string): ActionResult {
  return { ok: false, severity: 'info', message: `${what} cancelled.`, cancelled: true };
}

/** Shows a result's message without waiting for the notification to be dismissed. */
export function show<R extends ActionResult>(ctx: ActionContext, r: R): R {
  if (r.cancelled) return r;
  const log = r.severity === 'error' ? ctx.log.error : r.severity === 'warning' ? ctx.log.warn : ctx.log.info;
  log.call(ctx.log, r.message);
  const text = `MultiSite: ${r.message}`;
  void (r.severity === 'error' ? vscode.window.showErrorMessage(text) : r.severity === 'warning' ? vscode.window.showWarningMessage(text) : vscode.window.showInformationMessage(text));
  return r;
}

/** An error as the one line the user sees: the engine's message for a MultiSiteError, else a bug report pointer. */
export function errorResult(ctx: ActionContext, e: unknown): ActionResult {
  if (isMultiSiteError(e)) return { ok: false, severity: 'error', message: e.message };
  ctx.log.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  return { ok: false, severity: 'error', message: `Internal error: ${e instanceof Error ? e.message : String(e)} (the stack is in the MultiSite output channel).` };
}

/**
 * Runs an engine action under a progress notification: refused when the workspace is not
 * trusted, errors turned into their one-line message, the result shown, and the views
 * refreshed afterwards whatever happened (a failed import may have quarantined a packet).
 */
export async function runAction<R extends ActionResult>(ctx: ActionContext, title: string,
  work: (progress: vscode.Progress<{ message?: string }>) => Promise<R>): Promise<R | ActionResult> {
  let result: R | ActionResult;
  try {
    result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `MultiSite: ${title}` }, work);
  } catch (e) {
    result = errorResult(ctx, e);
  } finally {
    ctx.hosts.reload();
  }
  return show(ctx, result);
}

/** Refuses (shown, and returned) when the workspace is not trusted; undefined when it is. */
export function refuseUntrusted(ctx: ActionContext, action: string): ActionResult | undefined {
  if (ctx.isTrusted()) return undefined;
  return show(ctx, errorResult(ctx, new UntrustedWorkspaceError(action)));
}

/** A value of unknown shape (a tree node, or arguments given to executeCommand) read as a record. */
export function fields(arg: unknown): Record<string, unknown> {
  return typeof arg === 'object' && arg !== null ? (arg as Record<string, unknown>) : {};
}

export function stringField(arg: unknown, name: string): string | undefined {
  const v = fields(arg)[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A host's name from its site.ini as the views read it, else its home directory. */
export function hostName(ctx: ActionContext, home: string): string {
  return ctx.hosts.homes.find((h) => h.home === home)?.site?.name ?? home;
}
