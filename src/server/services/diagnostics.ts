import * as path from 'path';
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic } from 'vscode-languageserver';
import { validateShippingConf, type ConfDiagnostic, type ParsedShippingConf, type Severity } from '../../engine/conf';
import type { ServerSettings } from '../settings';
import type { ConfDocument, ServiceContext } from '../document';

export const DIAGNOSTIC_SOURCE = 'shipping.conf';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

// Code actions are requested on every cursor move: validate once per document version and
// settings, not once per request. Cleared when the disk may have changed (forgetDiagnostics).
let cache = new WeakMap<ParsedShippingConf, { settings: ServerSettings; fs: ServiceContext['fs']; hosts: ServiceContext['hosts']; found: ConfDiagnostic[] }>();

/**
 * Names and addresses of the peers next hops must be among: only for a host's own
 * config/shipping.conf, since another site's file routes by that site's peers.
 */
function ownPeers(doc: ConfDocument, ctx: ServiceContext): string[] | undefined {
  if (!ctx.home || !doc.fsPath || path.dirname(doc.fsPath) !== path.join(ctx.home, 'config') || ctx.hosts.length === 0) return undefined;
  return ctx.hosts.flatMap((h) => (h.address ? [h.name, h.address] : [h.name]));
}

/** Drops remembered results, e.g. after the server created bay folders. */
export function forgetDiagnostics(): void {
  cache = new WeakMap();
}

/** The engine's findings for a document, with the user's settings applied. */
export function confDiagnostics(doc: ConfDocument, ctx: ServiceContext): ConfDiagnostic[] {
  const hit = cache.get(doc.parsed);
  if (hit && hit.settings === ctx.settings && hit.fs === ctx.fs && hit.hosts === ctx.hosts) return hit.found;
  const found = validateShippingConf(doc.parsed, {
    fileSystemChecks: ctx.fs !== undefined,
    fs: ctx.fs,
    severities: ctx.settings.rules,
    zeroMaxDataSize: ctx.settings.zeroMaxDataSize,
    peers: ownPeers(doc, ctx),
  });
  cache.set(doc.parsed, { settings: ctx.settings, fs: ctx.fs, hosts: ctx.hosts, found });
  return found;
}

export function toLspDiagnostic(d: ConfDiagnostic, doc: ConfDocument, ctx: ServiceContext): Diagnostic {
  const href = ctx.ruleHref(d.code);
  const out: Diagnostic = {
    range: d.range,
    severity: SEVERITY[d.severity],
    code: d.code,
    source: DIAGNOSTIC_SOURCE,
    message: d.message,
  };
  if (href) out.codeDescription = { href };
  if (d.code === 'duplicate-entry') out.tags = [DiagnosticTag.Unnecessary];
  if (d.related) out.relatedInformation = d.related.map((r) => ({ location: { uri: doc.uri, range: r.range }, message: r.message }));
  return out;
}

/** Diagnostics to publish: validation, capped at maxNumberOfProblems (errors first when capping). */
export function computeDiagnostics(doc: ConfDocument, ctx: ServiceContext): Diagnostic[] {
  let found = confDiagnostics(doc, ctx);
  const max = ctx.settings.maxNumberOfProblems;
  if (found.length > max) {
    const rank: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };
    found = found
      .map((d, i) => ({ d, i }))
      .sort((a, b) => rank[a.d.severity] - rank[b.d.severity] || a.i - b.i)
      .slice(0, max)
      .sort((a, b) => a.i - b.i)
      .map((x) => x.d);
  }
  return found.map((d) => toLspDiagnostic(d, doc, ctx));
}
