import * as assert from 'assert';
import type { MarkupContent } from 'vscode-languageserver';
import { KEYWORDS } from '../../../src/engine/conf';
import { computeHover } from '../../../src/server/services/hover';
import { at, ctx, doc } from './serverHelpers';

function hover(text: string, needle: string, offset = 1, over = {}): string {
  const h = computeHover(doc(text), at(text, needle, offset), ctx(over));
  return h ? (h.contents as MarkupContent).value : '';
}

describe('hover service', () => {
  it('documents every keyword with synopsis, default and example', () => {
    for (const k of KEYWORDS) {
      const text = `${k.example}\n`;
      const v = hover(text, k.name);
      assert.ok(v.includes('```shipping-conf') && v.includes('**Default:**') && v.includes(k.example), k.name);
    }
  });

  it('gives the range of the word it describes', () => {
    const text = 'EXPIRATION -default 14';
    const h = computeHover(doc(text), at(text, '14', 1), ctx())!;
    assert.deepStrictEqual(h.range, { start: { line: 0, character: 20 }, end: { line: 0, character: 22 } });
  });

  it('converts sizes and says whether they fit', () => {
    assert.match(hover('MAX-DATA-SIZE 512m', '512m'), /^\*\*size\*\* of MAX-DATA-SIZE\n\n524,288 KB \(512 MB, 536,870,912 bytes\).*within the maximum/);
    assert.match(hover('MAX-DATA-SIZE 2g', '2g'), /\*\*over\*\* the maximum of 2097151 KB by 1 KB/);
    assert.match(hover('MAX-DATA-SIZE 0', '0'), /the default, 2097151 KB/);
  });

  it('describes a storage class with its bays and expiration', () => {
    const text = 'STORAGE-BAY nightly /b1\nRETURN-BAY nightly /r1\nEXPIRATION nightly 3';
    const v = hover(text, 'nightly', 1, 2);
    assert.match(v, /Storage class `nightly`/);
    assert.match(v, /Storage bays: `\/b1`  \nReturn bays: `\/r1`  \nExpiration: 3 days/);
    assert.match(hover('EXPIRATION -default 5', '-default'), /default storage class/);
    assert.match(hover('STORAGE-BAY cq_default /c', 'cq_default'), /multiutil.*no default expiration/s);
  });

  it('explains ROUTE hosts with site.ini facts', () => {
    const text = 'ROUTE hub tokyo\nROUTE gw -default';
    const hosts = [{ name: 'tokyo', address: '10.0.0.9', port: 1130, self: false, file: '/s', line: 0 }];
    assert.match(hover(text, 'hub', 1, { hosts }), /Next hop `hub`: receives packets for `tokyo`/);
    assert.match(hover(text, 'hub', 1, { hosts }), /Not a peer in this host's site.ini/);
    assert.match(hover(text, 'tokyo', 1, { hosts }), /Destination `tokyo`: packets for it are handed to `hub`.\n\nA peer in site.ini, at 10.0.0.9:1130/);
    assert.match(hover(text, '-default', 1), /every destination that no other ROUTE entry names/);
  });

  it('explains ports, days, minutes and addresses', () => {
    assert.match(hover('CLEARCASE_MIN_PORT 2000', '2000'), /lowest port.*outside the recommended Dynamic\/Private range/);
    assert.match(hover('EXPIRATION x 0', ' 0'), /never expire/);
    assert.match(hover('EXPIRATION x 7', ' 7'), /within 7 days/);
    assert.match(hover('DOWNHOST-TIMEOUT 30', '30'), /left alone for 30 minutes/);
    assert.match(hover('ADMINISTRATOR ops@x.org', 'ops'), /Mail address `ops@x.org`/);
    assert.match(hover('ADMINISTRATOR root', 'root'), /Local user `root`/);
  });

  it('reports what it knows of a path, and says when the disk was not consulted', () => {
    assert.match(hover('STORAGE-BAY x /nowhere', '/nowhere'), /File-system checks are off/);
    const fsys = { stat: () => undefined, canWrite: () => true, canExecute: () => true };
    assert.match(hover('STORAGE-BAY x /nowhere', '/nowhere', 1, { fs: fsys }), /Does not exist on this host/);
    assert.match(hover('NOTIFICATION-PROGRAM rel', 'rel'), /Not an absolute path/);
  });

  it('explains suppression comments and unknown keywords', () => {
    assert.match(hover('# shipping-conf-disable-next-line size-zero\nMAX-DATA-SIZE 0', 'shipping'), /silences these diagnostics on line 2:\n\n- `size-zero`: MAX-DATA-SIZE 0/);
    assert.match(hover('STORAGE_BAY x /y', 'STORAGE'), /not a shipping.conf keyword. Did you mean \*\*STORAGE-BAY\*\*/);
    assert.strictEqual(hover('# plain comment', 'plain'), '');
    assert.match(hover('DOWNHOST-TIMEOUT 1 2', ' 2'), /Extra argument/);
  });
});
