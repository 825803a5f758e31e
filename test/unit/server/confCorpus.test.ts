import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseShippingConf, RULES, validateShippingConf, type ConfDiagnostic } from '../../../src/engine/conf';

/**
 * The corpus in test/fixtures/conf: realistic files that must validate clean (valid/), one file
 * per rule that must raise it (broken/<code>.conf), and mixed real-life messes (mixed/). Each
 * .conf has a .expected file with the exact diagnostics, one per line:
 *   LINE:COL-ENDCOL severity code message
 * (1-based line, 0-based UTF-16 columns). Rules that need the disk are covered by the validator
 * unit tests; the corpus is checked without file-system checks so it runs the same everywhere.
 * UPDATE_CONF_CORPUS=1 rewrites the .expected files (then review the diff).
 */
const ROOT = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'conf');
const update = process.env.UPDATE_CONF_CORPUS === '1';

function render(d: ConfDiagnostic): string {
  const r = d.range;
  const end = r.end.line === r.start.line ? `${r.end.character}` : `${r.end.line + 1}:${r.end.character}`;
  return `${r.start.line + 1}:${r.start.character}-${end} ${d.severity} ${d.code} ${d.message}`;
}

function corpus(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith('.conf')).sort().map((f) => path.join(dir, f));
}

/** A file may come with a .peers file: the host and peer names of its site.ini, one per line. */
function diagnose(rel: string): string[] {
  const peersFile = path.join(ROOT, rel.replace(/\.conf$/, '.peers'));
  const peers = fs.existsSync(peersFile) ? fs.readFileSync(peersFile, 'utf8').split('\n').filter(Boolean) : undefined;
  return validateShippingConf(parseShippingConf(fs.readFileSync(path.join(ROOT, rel), 'utf8')), { peers }).map(render);
}

function expected(rel: string, actual: string[]): string[] {
  const file = path.join(ROOT, rel.replace(/\.conf$/, '.expected'));
  if (update) fs.writeFileSync(file, actual.map((l) => l + '\n').join(''));
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
}

describe('shipping.conf corpus (test/fixtures/conf)', () => {
  for (const rel of corpus('valid')) {
    it(`${rel} validates without a diagnostic`, () => {
      assert.deepStrictEqual(diagnose(rel), []);
    });
  }

  for (const rel of [...corpus('broken'), ...corpus('mixed')]) {
    it(`${rel} gives exactly its expected diagnostics`, () => {
      const actual = diagnose(rel);
      assert.deepStrictEqual(actual, expected(rel, actual));
    });
  }

  it('has a broken file for every rule that does not need the disk', () => {
    const files = new Set(corpus('broken').map((f) => path.basename(f, '.conf')));
    const missing = RULES.filter((r) => !('fileSystem' in r && r.fileSystem) && !files.has(r.code)).map((r) => r.code);
    assert.deepStrictEqual(missing, []);
    for (const rel of corpus('broken')) {
      const code = path.basename(rel, '.conf');
      assert.ok(diagnose(rel).some((l) => l.split(' ')[2] === code), `${rel} does not raise ${code}`);
    }
  });
});
