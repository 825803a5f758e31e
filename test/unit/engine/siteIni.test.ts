import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isHostHome, readSiteIni } from '../../../src/engine/host/siteIni';

describe('readSiteIni', () => {
  let home: string;
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-siteini-'));
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  const write = (text: string): void => {
    fs.mkdirSync(path.join(home, 'config'), { recursive: true });
    fs.writeFileSync(path.join(home, 'config', 'site.ini'), text);
  };

  it('says a directory without config/site.ini is no host home', () => {
    assert.strictEqual(isHostHome(home), false);
    assert.strictEqual(readSiteIni(home), undefined);
  });

  it('reads the host name, address and port and every peer section', () => {
    write('[host]\nname = boston\naddress = 127.0.0.1\nport = 7001\n\n[peer.tokyo]\naddress = 127.0.0.1\nport = 7002\n\n[peer "paris"]\nport = 7003\n');
    assert.strictEqual(isHostHome(home), true);
    assert.deepStrictEqual(readSiteIni(home), {
      name: 'boston', address: '127.0.0.1', port: 7001,
      peers: [{ name: 'tokyo', address: '127.0.0.1', port: 7002 }, { name: 'paris', address: undefined, port: 7003 }],
    });
  });

  it('falls back to the home directory name when site.ini names no host', () => {
    write('# hand-made\n');
    assert.strictEqual(readSiteIni(home)?.name, path.basename(home));
  });
});
