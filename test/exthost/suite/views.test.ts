import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TreeNode } from '../../../src/extension/view/treeNodes/treeNode';
import { api, makeHostHome, setHosts } from './helpers';

const labels = (nodes: TreeNode[]): string[] => nodes.map((n) => String(n.getTreeItem().label));

describe('the MultiSite views', () => {
  const homes: string[] = [];
  const home = (name: string, extra?: Parameters<typeof makeHostHome>[1]): string => {
    const h = makeHostHome(name, extra);
    homes.push(h);
    return h;
  };

  /**
   * The demo site of `npm start`, made once: hosts made by the engine's command line, a VOB
   * replicated from boston to tokyo and paris, an update packet left in each receiver's incoming bay.
   */
  let site: string | undefined;
  const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
  const demoSite = (): string => {
    if (site) return site;
    site = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-site-'));
    homes.push(site);
    const made = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'demo.mjs'), '--dir', site], { encoding: 'utf8' });
    assert.strictEqual(made.status, 0, made.stderr);
    return site;
  };

  after(async () => {
    await setHosts(await api(), undefined);
    for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
  });

  it('open from their focus commands: Replicas, Storage Bays, Packets', async () => {
    for (const view of ['multisite.replicas', 'multisite.bays', 'multisite.packets']) {
      await vscode.commands.executeCommand(`${view}.focus`);
    }
  });

  it('have no host, and stay empty for the welcome view, when the setting is empty and MULTISITE_HOME is no host home', async () => {
    const a = await api();
    await setHosts(a, undefined);
    assert.deepStrictEqual(a.hosts.configuredHomes(), [path.resolve(process.env.MULTISITE_HOME ?? '')]);
    assert.strictEqual(a.hosts.hasHost, false);
    assert.deepStrictEqual(await a.replicas.getChildren(), []);
    assert.deepStrictEqual(await a.bays.getChildren(), []);
  });

  it('use MULTISITE_HOME when the setting is empty and it is a host home', async () => {
    const a = await api();
    const envHome = process.env.MULTISITE_HOME ?? '';
    fs.mkdirSync(path.join(envHome, 'config'), { recursive: true });
    fs.writeFileSync(path.join(envHome, 'config', 'site.ini'), '[host]\nname = envhost\n');
    try {
      await vscode.commands.executeCommand('multisite.refresh');
      assert.strictEqual(a.hosts.hasHost, true);
      assert.deepStrictEqual(labels(await a.replicas.getChildren()), ['envhost']);
    } finally {
      fs.rmSync(envHome, { recursive: true, force: true });
      await vscode.commands.executeCommand('multisite.refresh');
    }
    assert.strictEqual(a.hosts.hasHost, false);
  });

  it('show a host of multisite.hosts by the name in its site.ini, and set multisite.hasHost', async () => {
    const a = await api();
    const boston = home('boston');
    await setHosts(a, [boston]);
    assert.strictEqual(a.hosts.hasHost, true);
    const nodes = await a.replicas.getChildren();
    assert.deepStrictEqual(labels(nodes), ['boston']);
    const item = nodes[0].getTreeItem();
    assert.strictEqual(item.description, '127.0.0.1:7001');
    assert.strictEqual(item.contextValue, 'host');
    assert.strictEqual(item.id, `multisite.replicas:host:${boston}`);
  });

  it('list several hosts in setting order and mark a directory that is no host', async () => {
    const a = await api();
    const tokyo = home('tokyo');
    const paris = home('paris');
    const plain = fs.mkdtempSync(path.join(path.dirname(tokyo), 'ms-nohost-'));
    homes.push(plain);
    await setHosts(a, [tokyo, plain, paris]);
    const nodes = await a.replicas.getChildren();
    assert.deepStrictEqual(labels(nodes), ['tokyo', plain, 'paris']);
    assert.deepStrictEqual(nodes.map((n) => n.getTreeItem().contextValue), ['host', 'host:missing', 'host']);
    assert.strictEqual(a.hosts.hasHost, true);
    await setHosts(a, [plain]);
    assert.strictEqual(a.hosts.hasHost, false);
    assert.deepStrictEqual(await a.replicas.getChildren(), []);
  });

  it('show the storage classes and bays of a host from its shipping.conf', async () => {
    const a = await api();
    const h = home('lyon', { shippingConf: '# bays\nSTORAGE-BAY nightly /srv/ms/nightly\nRETURN-BAY nightly /srv/ms/nightly_rtn\nEXPIRATION nightly 3\n' });
    await setHosts(a, [h]);
    const [hostNode] = await a.bays.getChildren();
    assert.strictEqual(hostNode.getTreeItem().label, 'lyon');
    const classes = await a.bays.getChildren(hostNode);
    const nightly = classes.find((c) => c.getTreeItem().label === 'nightly');
    assert.ok(nightly, `classes: ${labels(classes).join(', ')}`);
    assert.strictEqual(nightly.getTreeItem().description, 'expires after 3 d');
    const bays = await a.bays.getChildren(nightly);
    assert.deepStrictEqual(bays.map((b) => [b.getTreeItem().label, b.getTreeItem().description]),
      [['nightly', 'storage bay /srv/ms'], ['nightly_rtn', 'return bay /srv/ms']]);
  });

  it('show the packets waiting in a host\'s bays, described from their headers', async function () {
    this.timeout(120000);
    const a = await api();
    const tokyo = path.join(demoSite(), 'hosts', 'tokyo');
    fs.writeFileSync(path.join(tokyo, 'shipping', 'ms_ship', 'incoming', 'not-a-packet'), 'hello');
    await setHosts(a, [tokyo]);
    const [hostNode] = await a.packets.getChildren();
    assert.strictEqual(hostNode.getTreeItem().label, 'tokyo');
    const folders = await a.packets.getChildren(hostNode);
    const incoming = folders.find((f) => f.getTreeItem().label === '-default incoming');
    assert.ok(incoming, `folders: ${labels(folders).join(', ')}`);
    assert.strictEqual(incoming.getTreeItem().description, '2 packets');
    const packets = await a.packets.getChildren(incoming);
    assert.deepStrictEqual(labels(packets), ['not-a-packet', 'sync_boston_demo']);
    assert.strictEqual(packets[0].getTreeItem().contextValue, 'packet:unreadable:damaged');
    const item = packets[1].getTreeItem();
    assert.strictEqual(item.contextValue, 'packet:update:ready');
    assert.match(String(item.description), /^Update boston@demo #\d+ — ready$/);
    assert.match((item.tooltip as vscode.MarkdownString).value, /tokyo on tokyo/);
  });

  it('show the VOBs of a host with every replica, and which replica is behind this one', async function () {
    this.timeout(120000);
    const boston = path.join(demoSite(), 'hosts', 'boston');
    const a = await api();
    await setHosts(a, [boston]);
    const [hostNode] = await a.replicas.getChildren();
    const [vob] = await a.replicas.getChildren(hostNode);
    assert.strictEqual(vob.getTreeItem().label, 'demo');
    assert.strictEqual(vob.getTreeItem().description, 'replica boston');
    const described = async (): Promise<string[][]> => (await a.replicas.getChildren(vob)).map((r) => [String(r.getTreeItem().label), String(r.getTreeItem().description)]);
    assert.deepStrictEqual((await described()).sort(), [['boston', 'this replica, host boston'], ['paris', 'up to date, host paris'], ['tokyo', 'up to date, host tokyo']]);
    // a change at boston that nobody has been sent yet
    const file = path.join(site ?? '', 'README.new');
    fs.writeFileSync(file, 'a newer version\n');
    const ci = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'multitool', 'checkin', '-invob', 'demo', '-from', file, '-c', 'not sent yet', 'README'],
      { env: { ...process.env, MULTISITE_HOME: boston }, encoding: 'utf8' });
    assert.strictEqual(ci.status, 0, ci.stderr);
    await vscode.commands.executeCommand('multisite.refresh');
    const [host2] = await a.replicas.getChildren();
    const [vob2] = await a.replicas.getChildren(host2);
    const rows = (await a.replicas.getChildren(vob2)).map((r) => [String(r.getTreeItem().label), String(r.getTreeItem().description), r.getTreeItem().contextValue]);
    assert.deepStrictEqual(rows.filter(([name]) => name !== 'boston').sort(),
      [['paris', 'behind by 1, host paris', 'replica:behind'], ['tokyo', 'behind by 1, host tokyo', 'replica:behind']]);
  });
});
