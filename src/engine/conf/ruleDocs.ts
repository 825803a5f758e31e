import { KEYWORDS, synopsis } from './keywords';
import { RULES, type RuleSpec } from './rules';

/**
 * Renders docs/rules/<code>.md from the rule table, so the pages shipped in the extension (and
 * opened from each diagnostic's code link) say exactly what the validator does. The unit test
 * test/unit/engine/confRuleDocs.test.ts fails when a page is out of date and rewrites the pages
 * when run with UPDATE_RULE_DOCS=1.
 */
export function renderRulePage(rule: RuleSpec): string {
  const fence = (s: string): string => '```shipping-conf\n' + s + '\n```';
  const lines = [
    `# ${rule.code}`,
    '',
    `**${rule.title}.**`,
    '',
    `Default severity: **${rule.severity}**${rule.fileSystem ? ' · checked on disk: only when file-system checks are on (`multisite.shippingConf.fileSystemChecks`, never in an untrusted workspace; `multitool checkconf -nofscheck` skips it)' : ''}.`,
    '',
    rule.doc,
    '',
    '## Example',
    '',
    'Reported:',
    '',
    fence(rule.bad),
    '',
    'Accepted:',
    '',
    fence(rule.good),
    '',
  ];
  if (rule.fix) lines.push('## Quick fix', '', rule.fix, '');
  lines.push(
    '## Changing or silencing it',
    '',
    `- Severity for all files: setting \`"multisite.shippingConf.rules": { "${rule.code}": "warning" }\` (\`error\`, \`warning\`, \`information\`, \`hint\` or \`off\`); on the command line \`multitool checkconf -rule ${rule.code}=off\`.`,
    `- One line: put \`# shipping-conf-disable-next-line ${rule.code}\` on the line above it.`,
    `- A whole file: put \`# shipping-conf-disable ${rule.code}\` anywhere in it.`,
    '',
    // Sibling pages only: these pages ship inside the extension, where nothing else of docs/ is.
    `All codes: ${RULES.map((r) => (r.code === rule.code ? `**${r.code}**` : `[${r.code}](${r.code}.md)`)).join(' · ')}`,
    '',
  );
  return lines.join('\n');
}

/** The rules and keywords tables of docs/shipping-conf.md, generated from the same tables. */
export function renderRuleIndex(): string {
  const rows = RULES.map((r) => `| [\`${r.code}\`](rules/${r.code}.md) | ${r.severity} | ${r.title}${'fileSystem' in r && r.fileSystem ? ' (disk)' : ''} |`);
  return ['| Code | Default | What it catches |', '|---|---|---|', ...rows].join('\n');
}

export function renderKeywordIndex(): string {
  const rows = KEYWORDS.map((k) => `| \`${synopsis(k)}\` | ${k.summary}. Default: ${k.defaultText}. |`);
  return ['| Entry | Meaning |', '|---|---|', ...rows].join('\n');
}
