import * as fs from 'fs';
import * as path from 'path';
import type { ParsedArgs } from '../args';
import type { CommandContext, CommandSpec } from '../command';
import {
  applyEdits,
  fixAllEdits,
  isRuleCode,
  knownHosts,
  parseShippingConf,
  shippingConfPath,
  validateShippingConf,
  type ConfDiagnostic,
  type SeverityOverride,
} from '../../engine/conf';
import { MultiSiteError, UsageError } from '../../engine/errors';

const SEVERITIES = new Set(['error', 'warning', 'information', 'hint', 'off']);

/**
 * `multitool checkconf [-nofscheck] [-hints] [-rule CODE=SEVERITY]... [-fix] [FILE]`: the language
 * server's validation for scripts and CI. Prints `FILE:LINE: message [code]` per problem
 * (hints only with -hints), a summary on stderr, and exits 1 when any error remains.
 * FILE defaults to the host's config/shipping.conf. -fix rewrites the file with every safe fix
 * first (the editor's fix-all) and reports what is left.
 */
export const checkconf: CommandSpec = {
  name: 'checkconf',
  usage: 'checkconf [-nofscheck] [-hints] [-rule CODE=SEVERITY]... [-fix] [FILE]',
  options: [
    { name: 'nofscheck', kind: 'flag' },
    { name: 'hints', kind: 'flag' },
    { name: 'fix', kind: 'flag' },
    { name: 'rule', kind: 'multi' },
  ],
  async run(ctx: CommandContext, args: ParsedArgs): Promise<number> {
    if (args.operands.length > 1) throw new UsageError('checkconf takes at most one FILE.', checkconf.usage);
    const shown = args.operands[0] ?? shippingConfPath(ctx.home);
    const file = path.resolve(ctx.cwd, shown);
    const severities: Record<string, SeverityOverride> = {};
    for (const r of args.multi.get('rule') ?? []) {
      const m = /^([a-z-]+)=([a-z]+)$/.exec(r);
      if (!m || !isRuleCode(m[1]) || !SEVERITIES.has(m[2])) {
        throw new UsageError(`Invalid -rule "${r}": use CODE=SEVERITY with a shipping.conf code and one of error, warning, information, hint, off.`);
      }
      severities[m[1]] = m[2] as SeverityOverride;
    }
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new MultiSiteError(`Unable to read "${shown}": ${code === 'ENOENT' ? 'No such file or directory' : code === 'EISDIR' ? 'Is a directory' : (e as Error).message}.`);
    }
    // Next hops must be peers of the host whose config/ the file is in (another site's file
    // routes by that site's peers, which this host does not know).
    const hosts = path.basename(path.dirname(file)) === 'config' ? knownHosts(path.dirname(path.dirname(file))) : [];
    const peers = hosts.length ? hosts.flatMap((h) => (h.address ? [h.name, h.address] : [h.name])) : undefined;
    const options = { fileSystemChecks: !args.flags.has('nofscheck'), severities, peers };
    let found = validateShippingConf(parseShippingConf(text), options);
    if (args.flags.has('fix')) {
      const { edits, count } = fixAllEdits(found);
      if (count > 0) {
        text = applyEdits(text, edits);
        fs.writeFileSync(file, text);
        ctx.err(`${ctx.program}: Fixed ${count} problem${count === 1 ? '' : 's'} in ${shown}.`);
        found = validateShippingConf(parseShippingConf(text), options);
      }
    }
    const shownDiags = found.filter((d) => d.severity !== 'hint' || args.flags.has('hints'));
    for (const d of shownDiags) ctx.out(formatDiagnostic(shown, d));
    const errors = found.filter((d) => d.severity === 'error').length;
    const warnings = found.filter((d) => d.severity === 'warning').length;
    if (shownDiags.length > 0) {
      ctx.err(`${ctx.program}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in ${shown}.`);
    }
    return errors > 0 ? 1 : 0;
  },
};

/** `FILE:LINE: message [code]`, with the severity named for anything but errors. */
export function formatDiagnostic(file: string, d: ConfDiagnostic): string {
  const sev = d.severity === 'error' ? '' : `${d.severity}: `;
  return `${file}:${d.range.start.line + 1}: ${sev}${d.message} [${d.code}]`;
}
