import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { addPeer, checkin, digest, listReplicas, mkelem, mkhost, mkreplicaExport, mkreplicaImport, mkvob, type EngineContext } from '../../../src/engine/sync';
import type { MultiSiteApi } from '../../../src/extension/extension';
import type { ActionContext } from '../../../src/extension/commands/action';
import { exportToReplica, type ExportActionResult } from '../../../src/extension/commands/exportToReplica';
import type { ImportActionResult } from '../../../src/extension/commands/importRun';
import { importPacket } from '../../../src/extension/commands/importPacket';
import { importReceived } from '../../../src/extension/commands/importReceived';
import type { ShowPacketResult } from '../../../src/extension/commands/showPacket';
import type { TreeNode } from '../../../src/extension/view/treeNodes/treeNode';
import { api, extension, setHosts } from './helpers';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const TAG = '/vobs/dev';

const label = (n: TreeNode): string => String(n.getTreeItem().label);
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function child(a: MultiSiteApi, view: 'replicas' | 'packets', parent: TreeNode | undefined, name: string): Promise<TreeNode> {
  const kids = await a[view].getChildren(parent);
  const found = kids.find((k) => label(k) === name);
  assert.ok(found, `no "${name}" under ${parent ? label(parent) : view}: ${kids.map(label).join(', ')}`);
  return found;
}

// The file name sorts after activation.test.ts, which must run before anything activates the extension.

/**
 * Two hosts made with the engine (boston holds the VOB, tokyo a replica made from boston's
 * creation packet), the extension showing both; each test exports from boston with the
 * editor's commands and imports at tokyo.
 */
describe('the export and import actions', function () {
  this.timeout(60000);
  let root = '';
  let boston: EngineContext;
  let tokyo: EngineContext;
  let a: MultiSiteApi;
  const tokyoIncoming = (): string => path.join(tokyo.home, 'shipping', 'ms_ship', 'incoming');
  const outDir = (name: string): string => {
    const d = path.join(root, 'out', name);
    fs.mkdirSync(d, { recursive: true });
    return d;
  };
  let changes = 0;
  const change = async (): Promise<void> => {
    const file = path.join(root, `change${++changes}.c`);
    fs.writeFileSync(file, `int version = ${changes};\n`.repeat(50));
    await checkin(boston, { tag: TAG, path: 'src/main.c', from: file, comment: `change ${changes}` });
  };
  const tokyoNodeAtBoston = async (): Promise<TreeNode> =>
    child(a, 'replicas', await child(a, 'replicas', await child(a, 'replicas', undefined, 'boston'), TAG), 'tokyo_hub');
  const exportToTokyo = async (options: Record<string, unknown>): Promise<ExportActionResult> =>
    vscode.commands.executeCommand<ExportActionResult>('multisite.exportToReplica', await tokyoNodeAtBoston(), options);
  /** The packet nodes of tokyo's incoming bay folder, by file name. */
  const incomingPackets = async (): Promise<Map<string, TreeNode>> => {
    const folder = await child(a, 'packets', await child(a, 'packets', undefined, 'tokyo'), '-default incoming');
    return new Map((await a.packets.getChildren(folder)).map((n) => [label(n), n]));
  };
  const converged = async (): Promise<void> => {
    assert.strictEqual(await digest(tokyo, { tag: TAG }), await digest(boston, { tag: TAG }));
    const [b] = await listReplicas(boston, TAG);
    const [t] = await listReplicas(tokyo, TAG);
    const own = (v: typeof b): Record<string, number> => v.replicas.find((r) => r.self)?.row ?? {};
    assert.deepStrictEqual(own(t), own(b), 'tokyo\'s epoch row equals boston\'s');
  };

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-actions-'));
    boston = { home: path.join(root, 'boston'), lockTimeoutMs: 20000 };
    tokyo = { home: path.join(root, 'tokyo'), lockTimeoutMs: 20000 };
    mkhost(boston.home, { name: 'boston', address: '127.0.0.1', port: 7201 });
    mkhost(tokyo.home, { name: 'tokyo', address: '127.0.0.1', port: 7202 });
    addPeer(boston.home, { name: 'tokyo', address: '127.0.0.1', port: 7202, peerHome: tokyo.home });
    addPeer(tokyo.home, { name: 'boston', address: '127.0.0.1', port: 7201, peerHome: boston.home });
    await mkvob(boston, { tag: TAG, replica: 'boston_hub' });
    const first = path.join(root, 'first.c');
    fs.writeFileSync(first, 'int version = 0;\n');
    await mkelem(boston, { tag: TAG, path: 'src/main.c', from: first });
    const creation = outDir('creation');
    const ex = await mkreplicaExport(boston, { target: `tokyo:tokyo_hub@${TAG}`, workdir: path.join(root, 'work'), out: creation });
    await mkreplicaImport(tokyo, { packets: ex.packets.map((p) => p.path), workdir: path.join(root, 'work'), tag: TAG });
    a = await api();
    await setHosts(a, [boston.home, tokyo.home]);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await setHosts(await api(), undefined);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('are contributed with menus for their nodes and hidden from the palette where they need a node', () => {
    const pkg = extension().packageJSON as { contributes: { menus: Record<string, { command: string; when?: string }[]> }; capabilities: { untrustedWorkspaces: { supported: string } } };
    const palette = new Map(pkg.contributes.menus.commandPalette.map((m) => [m.command, m.when]));
    for (const c of ['multisite.exportToReplica', 'multisite.importPacket', 'multisite.importFolder', 'multisite.showPacket', 'multisite.openShippingConf']) {
      assert.strictEqual(palette.get(c), 'false', c);
    }
    assert.match(palette.get('multisite.importReceived') ?? '', /isWorkspaceTrusted/);
    const items = pkg.contributes.menus['view/item/context'];
    for (const c of ['multisite.exportToReplica', 'multisite.importPacket', 'multisite.importFolder']) {
      assert.ok(items.filter((m) => m.command === c).every((m) => /isWorkspaceTrusted/.test(m.when ?? '')), `${c} is offered only in a trusted workspace`);
    }
    assert.strictEqual(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  });

  it('export a sibling\'s missing changes from its replica node to a folder, and the node then shows it up to date', async () => {
    await change();
    assert.strictEqual((await tokyoNodeAtBoston()).getTreeItem().contextValue, 'replica:behind');
    const out = outDir('first');
    const r = await exportToTokyo({ out, compress: true, comment: 'from the editor' });
    assert.strictEqual(r.ok, true, r.message);
    assert.strictEqual(r.packets?.length, 1);
    const packet = r.packets[0];
    assert.ok(fs.existsSync(packet), packet);
    assert.strictEqual(path.dirname(packet), out);
    // the first export after mkreplica sends everything: the new replica's row starts at zero, as in the original
    assert.match(r.message, new RegExp(`^Exported \\d+ changes? of ${TAG} to tokyo_hub: packet ${escape(path.basename(packet))} in ${escape(out)}\\.$`));
    const node = (await tokyoNodeAtBoston()).getTreeItem();
    assert.strictEqual(node.contextValue, 'replica');
    assert.match(String(node.description), /^up to date/);
  });

  it('import a packet named by its file at a host', async () => {
    const first = path.join(root, 'out', 'first');
    const r = await vscode.commands.executeCommand<ImportActionResult>('multisite.importPacket', { hostHome: tokyo.home, file: path.join(first, fs.readdirSync(first)[0]) });
    assert.strictEqual(r.ok, true, r.message);
    assert.strictEqual(r.severity, 'info');
    assert.match(r.message, /^Import at tokyo: 1 applied \(1 change\)\.$/);
    await converged();
  });

  it('show a packet as lspacket -long prints it, in a read-only document', async () => {
    await change();
    const r = await exportToTokyo({ out: tokyoIncoming(), comment: 'shown' });
    assert.strictEqual(r.ok, true, r.message);
    const file = r.packets?.[0] ?? '';
    const node = (await incomingPackets()).get(path.basename(file));
    assert.ok(node);
    const item = node.getTreeItem();
    assert.strictEqual(item.contextValue, 'packet:update:ready');
    assert.match(String(item.description), /— ready$/);
    assert.strictEqual(item.command?.command, 'multisite.showPacket');
    const shown = await vscode.commands.executeCommand<ShowPacketResult>('multisite.showPacket', node);
    assert.strictEqual(shown.ok, true, shown.message);
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.toString(), shown.uri);
    const text = vscode.window.activeTextEditor?.document.getText() ?? '';
    const cli = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'multitool', 'lspacket', '-long', file],
      { env: { ...process.env, MULTISITE_HOME: tokyo.home }, encoding: 'utf8' });
    assert.strictEqual(cli.status, 0, cli.stderr);
    assert.strictEqual(text, cli.stdout);
    assert.match(text, /^Packet is: .*\nPacket type: Update\n/);
    assert.match(text, new RegExp(`tokyo_hub \\[ local to this network \\] tag: ${TAG}`));
    assert.match(text, /Comment supplied at packet creation is: shown/);
    // a virtual document: the editor refuses edits instead of saving them anywhere
    const edited = await Promise.resolve(vscode.window.activeTextEditor?.edit((e) => e.insert(new vscode.Position(0, 0), 'x'))).catch(() => false);
    assert.strictEqual(vscode.window.activeTextEditor?.document.getText(), text, `edit applied: ${edited}`);
  });

  it('import a packet at the other host from its node, and the replicas converge', async () => {
    const nodes = await incomingPackets();
    const ready = [...nodes.values()].filter((n) => n.getTreeItem().contextValue === 'packet:update:ready');
    assert.strictEqual(ready.length, 1, [...nodes.keys()].join(', '));
    const r = await vscode.commands.executeCommand<ImportActionResult>('multisite.importPacket', ready[0]);
    assert.strictEqual(r.ok, true, r.message);
    assert.strictEqual(r.counts?.applied, 1, r.message);
    assert.match(r.message, /^Import at tokyo: 1 applied \(1 change\)\.$/);
    await converged();
    // still in the bay (an explicitly named packet stays, as with the command line), now applied
    const after = (await incomingPackets()).get(label(ready[0]));
    assert.strictEqual(after?.getTreeItem().contextValue, 'packet:update:applied');
  });

  it('say which packet waits for predecessors, with the engine\'s reason, and apply both from the folder', async () => {
    const held = outDir('held');
    await change();
    const one = await exportToTokyo({ out: held });
    await change();
    const two = await exportToTokyo({ out: tokyoIncoming() });
    assert.ok(one.ok && two.ok, `${one.message} ${two.message}`);
    const waitingNode = (await incomingPackets()).get(path.basename(two.packets?.[0] ?? ''));
    assert.strictEqual(waitingNode?.getTreeItem().contextValue, 'packet:update:waiting');
    assert.match(String(waitingNode.getTreeItem().description), /— waiting for predecessors$/);
    const r = await vscode.commands.executeCommand<ImportActionResult>('multisite.importPacket', waitingNode);
    assert.strictEqual(r.ok, false);
    assert.strictEqual(r.severity, 'warning');
    assert.strictEqual(r.counts?.waiting, 1);
    assert.match(r.message, /1 waiting for predecessors \(.*Packet requires changes up to \d+; VOB has only \d+ from replica "boston_hub"\)/);
    // the missing one arrives: the folder import applies both in the order their contents need
    fs.copyFileSync(one.packets?.[0] ?? '', path.join(tokyoIncoming(), path.basename(one.packets?.[0] ?? '')));
    const folder = await child(a, 'packets', await child(a, 'packets', undefined, 'tokyo'), '-default incoming');
    assert.strictEqual(folder.getTreeItem().contextValue, 'bayFolder:storage:incoming');
    const all = await vscode.commands.executeCommand<ImportActionResult>('multisite.importFolder', folder);
    assert.strictEqual(all.ok, true, all.message);
    assert.strictEqual(all.counts?.applied, 2, all.message);
    await converged();
  });

  it('import every received packet of a host and remove what it applied from the bay', async () => {
    await change();
    const r = await exportToTokyo({ out: tokyoIncoming() });
    assert.strictEqual(r.ok, true, r.message);
    const im = await vscode.commands.executeCommand<ImportActionResult>('multisite.importReceived', { home: tokyo.home });
    assert.strictEqual(im.ok, true, im.message);
    assert.strictEqual(im.counts?.applied, 1, im.message);
    assert.ok((im.counts?.removed ?? 0) >= 1, im.message);
    assert.deepStrictEqual(fs.readdirSync(tokyoIncoming()).filter((f) => !f.startsWith('.')), []);
    await converged();
    const again = await vscode.commands.executeCommand<ImportActionResult>('multisite.importReceived', tokyo.home);
    assert.strictEqual(again.message, 'No packets to import in the incoming storage bays of tokyo.');
  });

  it('quarantine a damaged packet and say why', async () => {
    await change();
    const r = await exportToTokyo({ out: tokyoIncoming() });
    const file = r.packets?.[0] ?? '';
    const intact = path.join(outDir('intact'), path.basename(file));
    fs.copyFileSync(file, intact);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 10] ^= 0xff;
    fs.writeFileSync(file, bytes);
    const node = (await incomingPackets()).get(path.basename(file));
    assert.ok(node);
    const before = await digest(tokyo, { tag: TAG });
    const im = await vscode.commands.executeCommand<ImportActionResult>('multisite.importPacket', node);
    assert.strictEqual(im.ok, false);
    assert.strictEqual(im.severity, 'error');
    assert.strictEqual(im.counts?.quarantined, 1, im.message);
    assert.match(im.message, new RegExp(`^Import at tokyo: 1 quarantined \\(.*${escape(path.basename(file))}.*damaged.+; the packet was moved to ${escape(path.join(tokyo.home, 'shipping', 'quarantine'))}.+\\)\\.$`));
    assert.strictEqual(fs.existsSync(file), false, 'moved out of the bay');
    assert.strictEqual(await digest(tokyo, { tag: TAG }), before, 'nothing applied');
    assert.strictEqual((await incomingPackets()).has(path.basename(file)), false);
    // the sender's intact copy applies: the damaged one changed nothing
    const again = await vscode.commands.executeCommand<ImportActionResult>('multisite.importPacket', { hostHome: tokyo.home, file: intact });
    assert.strictEqual(again.counts?.applied, 1, again.message);
    await converged();
  });

  it('show the engine\'s one-line error when the export cannot be written', async () => {
    const missing = path.join(root, 'no', 'such', 'dir') + path.sep;
    const r = await exportToTokyo({ out: missing });
    assert.strictEqual(r.ok, false);
    assert.strictEqual(r.severity, 'error');
    assert.strictEqual(r.message, `Directory ${missing} does not exist.`);
  });

  it('ask where to write and with which options when called from a menu, offering the storage bay\'s outgoing folder first', async () => {
    await change();
    const outgoing = path.join(boston.home, 'shipping', 'ms_ship', 'outgoing');
    const before = new Set(fs.readdirSync(outgoing));
    // as a click on the inline button: the node only, so the pickers come up; Enter takes the
    // first output (-default outgoing) and then the options as they are (none)
    let done = false;
    const running = Promise.resolve(vscode.commands.executeCommand<ExportActionResult>('multisite.exportToReplica', await tokyoNodeAtBoston())).finally(() => { done = true; });
    const end = Date.now() + 20000;
    while (!done && Date.now() < end) {
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const r = await running;
    assert.strictEqual(r.ok, true, r.message);
    const written = fs.readdirSync(outgoing).filter((f) => !before.has(f));
    assert.deepStrictEqual(written, [path.basename(r.packets?.[0] ?? '')]);
    assert.match(r.message, new RegExp(`in ${escape(outgoing)}\\.$`));
    fs.renameSync(path.join(outgoing, written[0]), path.join(tokyoIncoming(), written[0]));
    const im = await vscode.commands.executeCommand<ImportActionResult>('multisite.importReceived', tokyo.home);
    assert.strictEqual(im.counts?.applied, 1, im.message);
    await converged();
  });

  it('take -maxsize as the command line does, and refuse a malformed size before writing anything', async () => {
    const out = outDir('sized');
    const bad = await exportToTokyo({ out, maxsize: '12q' });
    assert.strictEqual(bad.ok, false);
    assert.strictEqual(bad.message, 'Invalid size "12q" for -maxsize: use an integer with an optional k, m or g suffix (no suffix = KB).');
    assert.deepStrictEqual(fs.readdirSync(out), []);
    await change();
    const r = await exportToTokyo({ out, maxsize: '2m', compress: false });
    assert.strictEqual(r.ok, true, r.message);
    assert.strictEqual(r.packets?.length, 1);
    assert.ok(fs.statSync(r.packets[0]).size <= 2 * 1024 * 1024);
    const im = await vscode.commands.executeCommand<ImportActionResult>('multisite.importFolder', { hostHome: tokyo.home, dir: out });
    assert.strictEqual(im.counts?.applied, 1, im.message);
    await converged();
  });

  it('refuse export and import in an untrusted workspace, writing nothing', async () => {
    const untrusted: ActionContext = { hosts: a.hosts, log: a.log, isTrusted: () => false };
    const out = outDir('untrusted');
    const ex = await exportToReplica(untrusted)(await tokyoNodeAtBoston(), { out });
    assert.strictEqual(ex.ok, false);
    assert.match(ex.message, /^Export is disabled in an untrusted workspace/);
    assert.deepStrictEqual(fs.readdirSync(out), []);
    const first = path.join(root, 'out', 'first');
    const im = await importPacket(untrusted)({ hostHome: tokyo.home, file: path.join(first, fs.readdirSync(first)[0]) });
    assert.match(im.message, /^Import is disabled in an untrusted workspace/);
    const rc = await importReceived(untrusted)(tokyo.home);
    assert.strictEqual(rc.ok, false);
  });

  it('open a host\'s shipping.conf from its node', async () => {
    const host = await child(a, 'replicas', undefined, 'tokyo');
    await vscode.commands.executeCommand('multisite.openShippingConf', host);
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.fsPath, path.join(tokyo.home, 'config', 'shipping.conf'));
  });
});
