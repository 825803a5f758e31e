import { RULE_CODES, type SeverityOverride, type ZeroMaxDataSize } from '../engine/conf';

/**
 * The server's settings: the `multisite.shippingConf` section of package.json's
 * contributes.configuration, as the client sends it (workspace/configuration), checked here
 * so that a hand-edited settings.json with wrong types cannot break validation.
 */
export interface ServerSettings {
  /** Per-code severity overrides (`multisite.shippingConf.rules`). */
  rules: Record<string, SeverityOverride>;
  /** Check bays and programs on disk (`multisite.shippingConf.fileSystemChecks`); the client forces false in untrusted workspaces. */
  fileSystemChecks: boolean;
  /** Most diagnostics published per file (`multisite.shippingConf.maxNumberOfProblems`). */
  maxNumberOfProblems: number;
  /** How MAX-DATA-SIZE 0 is read (`multisite.shippingConf.zeroMaxDataSize`). */
  zeroMaxDataSize: ZeroMaxDataSize;
  /** Host homes (`multisite.hosts`), for site.ini host names when a file is not inside a home. */
  hosts: string[];
}

export const DEFAULT_SETTINGS: ServerSettings = {
  rules: {},
  fileSystemChecks: true,
  maxNumberOfProblems: 1000,
  zeroMaxDataSize: 'default',
  hosts: [],
};

const SEVERITIES = new Set(['error', 'warning', 'information', 'hint', 'off']);
const CODES = new Set<string>(RULE_CODES);

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Builds settings from what the client sent for `multisite.shippingConf` and `multisite.hosts`. */
export function normalizeSettings(section: unknown, hosts?: unknown): ServerSettings {
  const s = isRecord(section) ? section : {};
  const rules: Record<string, SeverityOverride> = {};
  if (isRecord(s.rules)) {
    for (const [code, sev] of Object.entries(s.rules)) {
      if (CODES.has(code) && typeof sev === 'string' && SEVERITIES.has(sev)) rules[code] = sev as SeverityOverride;
    }
  }
  const max = typeof s.maxNumberOfProblems === 'number' && Number.isFinite(s.maxNumberOfProblems) && s.maxNumberOfProblems > 0 ? Math.floor(s.maxNumberOfProblems) : DEFAULT_SETTINGS.maxNumberOfProblems;
  return {
    rules,
    fileSystemChecks: typeof s.fileSystemChecks === 'boolean' ? s.fileSystemChecks : DEFAULT_SETTINGS.fileSystemChecks,
    maxNumberOfProblems: max,
    zeroMaxDataSize: s.zeroMaxDataSize === 'unlimited' ? 'unlimited' : 'default',
    hosts: Array.isArray(hosts) ? hosts.filter((h): h is string => typeof h === 'string' && h !== '') : [],
  };
}
