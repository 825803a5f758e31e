import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { PacketIntegrityError, QuarantineError, readPacketEntries, type HostKeyLookup } from '../../../src/engine/packet';
import { quarantine, quarantineDir } from '../../../src/engine/packet/quarantine';
import { craftPacket, headerFor, hostKeys, lookupOf, sha256, tempDir, type HostKeys } from './packetFixtures';

/** What a reader hands over from a packet that turns out bad: nothing a caller would stage. */
describe('packet intake of a body altered after signing', () => {
  let dir: string;
  let keys: HostKeys;
  let lookup: HostKeyLookup;

  beforeEach(() => {
    dir = tempDir();
    keys = hostKeys('boston');
    lookup = lookupOf(keys);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('checks a gzip (minor 2) body against its checksum before decompressing it: a small altered body hands over no content, however far it inflates', async () => {
    // 64 MiB of zeros as one content blob: a few tens of kilobytes once gzipped. The header
    // (signed) describes another body of the same length, as after an alteration in transit.
    const content = Buffer.alloc(64 * 1024 * 1024);
    const head = Buffer.alloc(41);
    head[0] = 0x42;
    Buffer.from(sha256(content), 'hex').copy(head, 1);
    head.writeBigUInt64BE(BigInt(content.length), 33);
    const body = zlib.gzipSync(Buffer.concat([head, content, Buffer.from('E')]));
    const signedFor = crypto.randomBytes(body.length);
    const file = path.join(dir, 'altered');
    craftPacket(file, keys, { ...headerFor(keys, signedFor, { compression: 'gzip', blobs: 1 }) }, body);
    let handedOver = 0;
    let error: unknown;
    try {
      for await (const e of readPacketEntries(file, lookup)) {
        handedOver++;
        if (e.type === 'blob' && e.stream) for await (const b of e.stream) void b;
      }
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof PacketIntegrityError, String(error));
    assert.match(error.message, /body checksum does not match its header/);
    assert.strictEqual(handedOver, 0, 'content of an unverified body was handed over to be stored');
  });
});

describe('quarantine where the quarantine folder cannot be made', () => {
  let home: string;

  beforeEach(() => {
    home = tempDir('msquar-');
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  it('fails with a quarantine error naming the packet, and leaves the packet where it was', async () => {
    fs.mkdirSync(path.join(home, 'shipping'), { recursive: true });
    fs.writeFileSync(quarantineDir(home), 'a file where the folder goes');
    const packet = path.join(home, 'bad');
    fs.writeFileSync(packet, 'bytes');
    await assert.rejects(quarantine(packet, 'it is bad', home), (e: unknown) => e instanceof QuarantineError && /Cannot quarantine packet .*bad: /.test(e.message));
    assert.strictEqual(fs.readFileSync(packet, 'utf8'), 'bytes');
  });
});
