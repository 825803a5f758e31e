import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';

/** Polls `probe` until it returns a value (not undefined), or fails with `what` after `ms`. */
async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 30000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'shipping.conf');
}

describe('shipping.conf in the real extension host', function () {
  this.timeout(90000);
  let dir: string;
  let uri: vscode.Uri;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-exthost-conf-'));
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows the diagnostics of a broken shipping.conf, each linked to its page', async () => {
    const file = path.join(dir, 'shipping.conf');
    fs.mkdirSync(path.join(dir, 'bay', 'incoming'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'bay', 'outgoing'));
    fs.writeFileSync(file, `MAX-DATA-SIZE 3g\nSTORAGE_BAY -default ${dir}/bay\nCLEARCASE_MIN_PORT 65000\nCLEARCASE_MAX_PORT 50000\n`);
    uri = vscode.Uri.file(file);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    assert.strictEqual(doc.languageId, 'shipping-conf');
    const diags = await until('three diagnostics', () => {
      const d = ours(uri);
      return d.length === 3 ? d : undefined;
    });
    assert.deepStrictEqual(diags.map((d) => [d.range.start.line, codeOf(d), d.severity]), [
      [0, 'size-too-large', vscode.DiagnosticSeverity.Error],
      [1, 'unknown-keyword', vscode.DiagnosticSeverity.Error],
      [3, 'port-order', vscode.DiagnosticSeverity.Error],
    ]);
    assert.strictEqual(diags[1].message, 'Unknown keyword "STORAGE_BAY": did you mean STORAGE-BAY?');
    const target = (diags[1].code as { target: vscode.Uri }).target;
    assert.strictEqual(target.scheme, 'command');
    assert.strictEqual(target.path, 'multisite.shippingConf.showRuleDocs');
    assert.ok((await vscode.commands.getCommands(true)).includes('multisite.shippingConf.showRuleDocs'));
  });

  it('repairs a line with a quick fix', async () => {
    const diag = ours(uri).find((d) => codeOf(d) === 'unknown-keyword')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diag.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.title === 'Change to STORAGE-BAY');
    assert.ok(fix?.edit, `quick fixes: ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.strictEqual(doc.lineAt(1).text, `STORAGE-BAY -default ${dir}/bay`);
    await until('the unknown-keyword diagnostic to go', () => (ours(uri).some((d) => codeOf(d) === 'unknown-keyword') ? undefined : true));
  });

  it('fixes the rest with fix-all', async () => {
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      new vscode.Range(0, 0, 0, 0),
      vscode.CodeActionKind.SourceFixAll.append('shippingConf').value,
    );
    const all = actions.find((a) => a.kind?.value === 'source.fixAll.shippingConf');
    assert.ok(all?.edit, `actions: ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(all.edit));
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.strictEqual(doc.getText(), `MAX-DATA-SIZE 2047m\nSTORAGE-BAY -default ${dir}/bay\nCLEARCASE_MIN_PORT 50000\nCLEARCASE_MAX_PORT 65000\n`);
    await until('no diagnostic to remain', () => (ours(uri).length === 0 ? true : undefined));
  });

  it('opens the page of a code from its link command', async () => {
    await vscode.commands.executeCommand('multisite.shippingConf.showRuleDocs', 'port-order');
    const tab = await until('a tab showing port-order.md', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label.includes('port-order')),
    );
    assert.ok(tab);
  });

  it('completes keywords and explains them on hover', async () => {
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, new vscode.Position(4, 0));
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('EXPIRATION') && labels.includes('ROUTE'), labels.join(','));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(0, 16));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
    assert.match(text, /2,096,128 KB/);
  });
});
