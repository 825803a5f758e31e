import * as assert from 'assert';
import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';
import * as path from 'path';

const SERVER = path.resolve(__dirname, '..', '..', '..', 'dist', 'server.js');

interface Message { jsonrpc: '2.0'; id?: number; method?: string; params?: unknown; result?: unknown; error?: { code: number; message: string } }

/** The smallest LSP client there is: Content-Length framing over the server's stdio. */
class StdioClient {
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly waiting = new Map<number, (m: Message) => void>();
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  request(method: string, params: unknown): Promise<Message> {
    const id = this.nextId++;
    const reply = new Promise<Message>((resolve) => this.waiting.set(id, resolve));
    this.send({ jsonrpc: '2.0', id, method, params });
    return reply;
  }

  notify(method: string, params?: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  private send(m: Message): void {
    const body = Buffer.from(JSON.stringify(m), 'utf8');
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString('ascii'))?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const m = JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8')) as Message;
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      if (m.id !== undefined && m.method === undefined) this.waiting.get(m.id)?.(m);
    }
  }
}

describe('dist/server.js over stdio', () => {
  let client: StdioClient;

  beforeEach(() => {
    client = new StdioClient(spawn(process.execPath, [SERVER, '--stdio'], { stdio: 'pipe' }));
  });

  afterEach(() => {
    if (client.child.exitCode === null) client.child.kill('SIGKILL');
  });

  it('answers initialize with its capabilities, then shuts down and exits with status 0', async () => {
    const init = await client.request('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    assert.strictEqual(init.error, undefined, JSON.stringify(init.error));
    const caps = (init.result as { capabilities: { textDocumentSync?: unknown } }).capabilities;
    assert.ok(caps.textDocumentSync !== undefined, `textDocumentSync in ${JSON.stringify(caps)}`);
    client.notify('initialized', {});
    const down = await client.request('shutdown', null);
    assert.strictEqual(down.error, undefined);
    assert.strictEqual(down.result, null);
    client.notify('exit');
    assert.strictEqual(await client.exited, 0);
  });

  it('exits with status 1 when told to exit without a shutdown request', async () => {
    await client.request('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    client.notify('exit');
    assert.strictEqual(await client.exited, 1);
  });
});
