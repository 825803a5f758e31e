import * as path from 'path';
import { MarkupKind, type Hover } from 'vscode-languageserver';
import {
  argSpecAt,
  CQ_DEFAULT_CLASS,
  DEFAULT_CLASS,
  DEFAULT_ROUTE,
  DISABLE_FILE_DIRECTIVE,
  DISABLE_NEXT_LINE_DIRECTIVE,
  DYNAMIC_PORT_RANGE,
  nearestKeyword,
  nextHopFor,
  ruleSpec,
  synopsis,
  type KeywordSpec,
  type ShippingConf,
  type StorageClassConfig,
} from '../../engine/conf';
import { MAX_DATA_SIZE_KB } from '../../engine/size';
import { modelOf, tokenAt, type ConfDocument, type Position, type ServiceContext } from '../document';

/** Markdown documentation of a keyword, as hover and completion show it. */
export function keywordDoc(k: KeywordSpec): string {
  const args = k.args.map((a) => `- \`${a.name}\`${k.repeatLast && a === k.args[k.args.length - 1] ? ' ...' : ''}: ${a.doc}`).join('\n');
  const once = k.multiplicity === 'single' ? 'Give it once.' : k.multiplicity === 'perClass' ? 'Give it once per storage class.' : 'May be repeated.';
  return `\`\`\`shipping-conf\n${synopsis(k)}\n\`\`\`\n${k.summary}.\n\n${k.doc}\n\n${args}\n\n**Default:** ${k.defaultText}. ${once}\n\nExample: \`${k.example}\``;
}

/** Markdown describing a storage class as configured. */
export function classDoc(name: string, c: StorageClassConfig | undefined): string {
  const parts: string[] = [];
  if (name === DEFAULT_CLASS) parts.push('The **default storage class**, created at installation. Packets with no class, or whose class is not configured, use it.');
  else if (name === CQ_DEFAULT_CLASS) parts.push('The storage class **multiutil** uses for packets with no class. It is not created at installation and has no default expiration period.');
  else parts.push(`Storage class \`${name}\` (names are case-sensitive).`);
  if (c) {
    const list = (xs: string[]): string => (xs.length ? xs.map((x) => `\`${x}\``).join(', ') : 'none');
    parts.push(`Storage bays: ${list(c.storageBays)}  \nReturn bays: ${list(c.returnBays)}  \nExpiration: ${c.expirationDays === undefined ? 'none set' : c.expirationDays === 0 ? 'never' : `${c.expirationDays} days`}${c.receiptHandler ? `  \nReceipt handler: \`${c.receiptHandler}\`` : ''}`);
  }
  return parts.join('\n\n');
}

function sizeDoc(text: string): string {
  const m = /^(\d+)([kKmMgG]?)$/.exec(text);
  if (!m) return `Not a size: write an integer with an optional \`k\`, \`m\` or \`g\` suffix.`;
  const unit = { '': 1, k: 1, m: 1024, g: 1024 * 1024 }[m[2].toLowerCase()] as number;
  const kb = Number(m[1]) * unit;
  if (kb === 0) return `\`0\`: the default, ${MAX_DATA_SIZE_KB} KB (2 GB - 1 KB). Older releases read 0 as "no limit".`;
  const mb = kb / 1024;
  const fits = kb <= MAX_DATA_SIZE_KB ? `within the maximum of ${MAX_DATA_SIZE_KB} KB` : `**over** the maximum of ${MAX_DATA_SIZE_KB} KB by ${kb - MAX_DATA_SIZE_KB} KB`;
  return `${kb.toLocaleString('en-US')} KB (${mb >= 1 ? `${+mb.toFixed(2)} MB, ` : ''}${(kb * 1024).toLocaleString('en-US')} bytes): each physical packet file is at most this big; ${fits}.`;
}

function pathDoc(p: string, kind: 'bay' | 'program', keyword: string, ctx: ServiceContext): string {
  const lines: string[] = [];
  if (kind === 'bay') lines.push(`${keyword === 'RETURN-BAY' ? 'Return' : 'Storage'} bay \`${p}\`: packets wait in \`${path.posix.join(p, 'incoming')}\` and \`${path.posix.join(p, 'outgoing')}\`.`);
  else lines.push(`Program \`${p}\`, run by the shipping server${keyword === 'RECEIPT-HANDLER' ? ' for each packet received' : ' to mail the administrators'}.`);
  if (!path.isAbsolute(p)) lines.push('Not an absolute path: write it starting with `/`.');
  else if (ctx.fs) {
    const s = ctx.fs.stat(p);
    if (!s) lines.push('Does not exist on this host.');
    else if (kind === 'bay') {
      const sub = ['incoming', 'outgoing'].map((d) => `\`${d}\` ${ctx.fs?.stat(path.join(p, d))?.isDirectory ? 'present' : 'missing'}`);
      lines.push(s.isDirectory ? `Exists; ${sub.join(', ')}.` : 'Exists but is not a directory.');
    } else lines.push(s.isDirectory ? 'Is a directory, not a program.' : ctx.fs.canExecute(p) ? 'Exists and is executable.' : 'Exists but is not executable.');
  } else lines.push('_File-system checks are off, so the disk was not consulted._');
  return lines.join('\n\n');
}

function hostDoc(host: string, role: 'host' | 'destination', conf: ShippingConf, ctx: ServiceContext): string {
  if (host === DEFAULT_ROUTE) return '`-default`: every destination that no other ROUTE entry names goes through this next hop.';
  const lines: string[] = [];
  const known = ctx.hosts.find((h) => h.name === host);
  if (role === 'host') {
    const dests = conf.routes.filter((r) => r.nextHop === host).flatMap((r) => r.destinations);
    lines.push(`Next hop \`${host}\`: receives packets for ${dests.map((d) => (d === DEFAULT_ROUTE ? 'every other host' : `\`${d}\``)).join(', ')} and delivers or forwards them.`);
  } else {
    lines.push(`Destination \`${host}\`: packets for it are handed to \`${nextHopFor(conf, host)}\`.`);
  }
  if (known) lines.push(`${known.self ? 'This host' : 'A peer'} in site.ini${known.address ? `, at ${known.address}${known.port ? `:${known.port}` : ''}` : ''}.`);
  else if (ctx.hosts.length) lines.push('Not a peer in this host\'s site.ini: the shipping server accepts and sends deliveries only between configured peers.');
  return lines.join('\n\n');
}

/** Hover for any keyword or value of a shipping.conf. */
export function computeHover(doc: ConfDocument, pos: Position, ctx: ServiceContext): Hover | null {
  const at = tokenAt(doc.parsed, pos);
  const md = (value: string, t = at.token): Hover => ({
    contents: { kind: MarkupKind.Markdown, value },
    ...(t ? { range: { start: { line: t.line, character: t.start }, end: { line: t.line, character: t.end } } } : {}),
  });
  if (at.comment) {
    const s = doc.parsed.suppressions.find((x) => x.line === pos.line);
    if (!s) return null;
    const codes = s.codes.map((c) => `- \`${c.text}\`: ${ruleSpec(c.text)?.title ?? 'unknown code'}`).join('\n');
    const scope = s.scope === 'file' ? 'anywhere in this file' : `on line ${(s.targetLine ?? pos.line) + 1}`;
    const what = s.codes.length ? `these diagnostics ${scope}:\n\n${codes}` : `every diagnostic ${scope}.`;
    return md(`Suppression comment (\`${s.scope === 'file' ? DISABLE_FILE_DIRECTIVE : DISABLE_NEXT_LINE_DIRECTIVE}\`): silences ${what}`, at.comment);
  }
  const e = at.entry;
  if (!e || at.index === undefined || !at.token) return null;
  if (at.index === -1) {
    if (e.spec) return md(keywordDoc(e.spec));
    const near = nearestKeyword(e.keyword.text);
    return md(`\`${e.keyword.text.slice(0, 60)}\` is not a shipping.conf keyword.${near ? ` Did you mean **${near}**?` : ''}`);
  }
  if (!e.spec) return null;
  const arg = argSpecAt(e.spec, at.index);
  if (!arg) return md(`Extra argument: ${e.spec.name} takes ${e.spec.args.length} (\`${synopsis(e.spec)}\`).`);
  const text = at.token.text;
  const head = `**${arg.name}** of ${e.spec.name}\n\n`;
  switch (arg.kind) {
    case 'size':
      return md(head + sizeDoc(text));
    case 'bay':
    case 'program':
      return md(head + pathDoc(text, arg.kind, e.spec.name, ctx));
    case 'class': {
      const conf = modelOf(doc, ctx);
      return md(head + classDoc(text, conf.classes.get(text)));
    }
    case 'host':
    case 'destination':
      return md(head + hostDoc(text, arg.kind, modelOf(doc, ctx), ctx));
    case 'port': {
      const min = e.spec.name === 'CLEARCASE_MIN_PORT';
      const n = Number(text);
      const dyn = n >= DYNAMIC_PORT_RANGE.low && n <= DYNAMIC_PORT_RANGE.high ? 'inside' : 'outside';
      return md(head + `Port ${text}: the ${min ? 'lowest' : 'highest'} port the shipping server may use (${min ? '1024 through 65534' : '1025 through 65535'}). ` + (/^\d+$/.test(text) ? `It is ${dyn} the recommended Dynamic/Private range ${DYNAMIC_PORT_RANGE.low}–${DYNAMIC_PORT_RANGE.high}.` : 'Not a number.'));
    }
    case 'days':
      return md(head + (text === '0' ? '`0`: shipping orders of this class never expire; delivery is retried for ever.' : /^\d+$/.test(text) ? `Shipping orders not delivered to all destinations within ${text} day${text === '1' ? '' : 's'} of their creation go back to the sending host, and the administrators are mailed.` : 'Not a whole number of days.'));
    case 'minutes':
      return md(head + (text === '0' ? '`0`: no waiting; every run tries every host.' : /^\d+$/.test(text) ? `After a failed attempt, a host is left alone for ${text} minute${text === '1' ? '' : 's'} (each failed attempt costs about 30 seconds).` : 'Not a whole number of minutes.'));
    case 'address':
      return md(head + (text.includes('@') ? `Mail address \`${text}\`: receives store-and-forward notifications.` : `Local user \`${text}\`: receives store-and-forward notifications by local mail.`));
  }
  return null;
}
