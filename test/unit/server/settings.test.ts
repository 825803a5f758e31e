import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { RULES } from '../../../src/engine/conf';

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { default?: unknown; properties?: Record<string, { enum?: string[] }> }> } };
};
const props = manifest.contributes.configuration.properties;

describe('shipping.conf settings in package.json', () => {
  it('offers a severity setting for every diagnostic code, and only those', () => {
    const rules = props['multisite.shippingConf.rules'].properties ?? {};
    assert.deepStrictEqual(Object.keys(rules), RULES.map((r) => r.code));
    for (const [code, p] of Object.entries(rules)) assert.deepStrictEqual(p.enum, ['error', 'warning', 'information', 'hint', 'off'], code);
  });

  it('declares the settings the server reads, with the defaults it assumes', () => {
    assert.strictEqual(props['multisite.shippingConf.fileSystemChecks'].default, true);
    assert.strictEqual(props['multisite.shippingConf.maxNumberOfProblems'].default, 1000);
    assert.strictEqual(props['multisite.shippingConf.zeroMaxDataSize'].default, 'default');
    assert.strictEqual(props['multisite.shippingConf.trace.server'].default, 'off');
  });
});
