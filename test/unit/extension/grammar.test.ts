import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

interface Rule { match?: string; name?: string; captures?: Record<string, { name: string }> }
const grammar = JSON.parse(fs.readFileSync(path.join(ROOT, 'media', 'shipping-conf.tmLanguage.json'), 'utf8')) as {
  patterns: { include: string }[];
  repository: Record<string, Rule>;
};

/**
 * Applies the grammar's top-level rules the way a TextMate tokenizer does for single-line
 * `match` rules (leftmost match wins, earlier rule on a tie) and returns [text, scope] pairs.
 * The grammar uses only regex features JavaScript shares with Oniguruma, so this is faithful.
 */
function tokenize(line: string): [string, string][] {
  const rules = grammar.patterns.map((p) => grammar.repository[p.include.slice(1)]);
  const out: [string, string][] = [];
  let pos = 0;
  while (pos < line.length) {
    let best: { m: RegExpExecArray; rule: Rule } | undefined;
    for (const rule of rules) {
      const re = new RegExp(rule.match ?? '(?!)', 'gd');
      re.lastIndex = pos;
      const m = re.exec(line);
      if (m && m[0].length > 0 && (!best || m.index < best.m.index)) best = { m, rule };
    }
    if (!best) break;
    const { m, rule } = best;
    if (rule.name) out.push([m[0], rule.name]);
    for (const [group, { name }] of Object.entries(rule.captures ?? {})) {
      const span = m.indices?.[Number(group)];
      if (span) out.push([line.slice(span[0], span[1]), name]);
    }
    pos = m.index + m[0].length;
  }
  return out;
}

const scopeOf = (line: string, text: string): string | undefined => tokenize(line).find(([t]) => t === text)?.[1];

describe('the shipping.conf TextMate grammar', () => {
  it('colours every entry keyword of shipping.conf as a keyword', () => {
    for (const kw of ['MAX-DATA-SIZE', 'NOTIFICATION-PROGRAM', 'ADMINISTRATOR', 'STORAGE-BAY', 'RETURN-BAY', 'EXPIRATION',
      'ROUTE', 'RECEIPT-HANDLER', 'CLEARCASE_MIN_PORT', 'CLEARCASE_MAX_PORT', 'DOWNHOST-TIMEOUT']) {
      assert.match(scopeOf(`${kw} 1`, kw) ?? '', /^keyword\.other\.directive/, kw);
    }
  });

  it('marks a whole # line as a comment, keywords inside it included', () => {
    const tokens = tokenize('# MAX-DATA-SIZE 10m /x');
    assert.deepStrictEqual(tokens[0], ['# MAX-DATA-SIZE 10m /x', 'comment.line.number-sign.shipping-conf']);
    assert.deepStrictEqual(tokens.slice(1).map(([, s]) => s), ['punctuation.definition.comment.shipping-conf']);
  });

  it('tells the default storage classes apart from named ones', () => {
    assert.match(scopeOf('STORAGE-BAY -default /var/ms/ship', '-default') ?? '', /^constant\.language\.storage-class/);
    assert.match(scopeOf('EXPIRATION cq_default 7', 'cq_default') ?? '', /^constant\.language\.storage-class/);
    assert.match(scopeOf('RETURN-BAY nightly /var/ms/rtn', 'nightly') ?? '', /^entity\.name\.type\.storage-class/);
  });

  it('colours absolute paths, sizes with their k/m/g suffix, and plain numbers', () => {
    const line = 'STORAGE-BAY nightly /var/multisite/ship_1';
    assert.match(scopeOf(line, '/var/multisite/ship_1') ?? '', /^string\.unquoted\.path/);
    assert.match(scopeOf('MAX-DATA-SIZE 500m', '500m') ?? '', /^constant\.numeric\.size/);
    for (const suffix of ['k', 'm', 'g', 'K', 'M', 'G']) {
      assert.match(scopeOf(`MAX-DATA-SIZE 500${suffix}`, suffix) ?? '', /^keyword\.other\.unit/, suffix);
    }
    assert.match(scopeOf('DOWNHOST-TIMEOUT 30', '30') ?? '', /^constant\.numeric\.integer/);
    assert.strictEqual(scopeOf('ROUTE relay host2', '2'), undefined, 'digits inside a host name are no number');
  });

  it('leaves a mail address and unknown words uncoloured', () => {
    assert.deepStrictEqual(tokenize('ADMINISTRATOR vobadm@boston.example.com').map(([, s]) => s), ['keyword.other.directive.shipping-conf']);
  });
});
