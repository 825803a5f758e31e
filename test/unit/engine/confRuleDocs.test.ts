import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { RULES, renderRulePage, renderRuleIndex, renderKeywordIndex } from '../../../src/engine/conf';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const RULES_DIR = path.join(ROOT, 'docs', 'rules');
const GUIDE = path.join(ROOT, 'docs', 'shipping-conf.md');
const update = process.env.UPDATE_RULE_DOCS === '1';

function between(text: string, name: string): string {
  const m = new RegExp(`<!-- ${name}:begin -->\\n([\\s\\S]*?)\\n<!-- ${name}:end -->`).exec(text);
  return m ? m[1] : '';
}

describe('shipping.conf rule pages (docs/rules)', () => {
  it('has one page per diagnostic code, identical to what the rule table renders', () => {
    if (update) {
      fs.mkdirSync(RULES_DIR, { recursive: true });
      for (const r of RULES) fs.writeFileSync(path.join(RULES_DIR, `${r.code}.md`), renderRulePage(r));
    }
    for (const r of RULES) {
      const file = path.join(RULES_DIR, `${r.code}.md`);
      assert.ok(fs.existsSync(file), `missing ${file}: run with UPDATE_RULE_DOCS=1`);
      assert.strictEqual(fs.readFileSync(file, 'utf8'), renderRulePage(r), `${file} is out of date: run with UPDATE_RULE_DOCS=1`);
    }
  });

  it('has no page for a code that does not exist', () => {
    const codes = new Set<string>(RULES.map((r) => r.code));
    const stray = fs.readdirSync(RULES_DIR).filter((f) => !codes.has(f.replace(/\.md$/, '')));
    assert.deepStrictEqual(stray, []);
  });

  it('lists every rule and keyword in docs/shipping-conf.md as the tables render them', () => {
    let text = fs.readFileSync(GUIDE, 'utf8');
    if (update) {
      text = text
        .replace(/(<!-- rules:begin -->\n)[\s\S]*?(\n<!-- rules:end -->)/, `$1${renderRuleIndex()}$2`)
        .replace(/(<!-- keywords:begin -->\n)[\s\S]*?(\n<!-- keywords:end -->)/, `$1${renderKeywordIndex()}$2`);
      fs.writeFileSync(GUIDE, text);
    }
    assert.strictEqual(between(text, 'rules'), renderRuleIndex());
    assert.strictEqual(between(text, 'keywords'), renderKeywordIndex());
  });
});
