import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import type {
  CodeAction,
  CompletionList,
  DocumentLink,
  DocumentSymbol,
  FoldingRange,
  Hover,
  Location,
  MarkupContent,
  SemanticTokens,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { LspClient } from './shippingConfClient';

describe('shipping.conf language server over stdio (dist/server.js)', function () {
  this.timeout(30000);
  let client: LspClient;
  let dir: string;
  let uri: string;

  beforeEach(() => {
    client = new LspClient();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-lsp-'));
    uri = pathToFileURL(path.join(dir, 'shipping.conf')).toString();
  });
  afterEach(() => {
    client.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('advertises every feature at initialize', async () => {
    const { capabilities: c } = await client.initialize();
    assert.ok(c.completionProvider && c.hoverProvider && c.documentSymbolProvider && c.foldingRangeProvider && c.documentFormattingProvider && c.documentRangeFormattingProvider);
    assert.ok(c.definitionProvider && c.referencesProvider && c.documentLinkProvider && c.documentHighlightProvider && c.inlayHintProvider);
    assert.deepStrictEqual(c.renameProvider, { prepareProvider: true });
    assert.deepStrictEqual((c.codeActionProvider as { codeActionKinds: string[] }).codeActionKinds, ['quickfix', 'source.fixAll.shippingConf']);
    assert.ok(c.semanticTokensProvider?.legend.tokenTypes.includes('keyword'));
    assert.deepStrictEqual(c.executeCommandProvider?.commands, ['multisite.shippingConf.createFolders']);
    assert.strictEqual(await client.shutdown(), 0);
  });

  it('publishes diagnostics on open with codes and links to pages that exist, and updates them on change', async () => {
    await client.initialize();
    await client.open(uri, 'MAX-DATA-SIZE 3g\nCLEARCASE_MIN_PORT 65000\nCLEARCASE_MAX_PORT 50000\n');
    const diags = await client.diagnosticsFor(uri, 1);
    assert.deepStrictEqual(diags.map((d) => [d.range.start.line, d.code, d.severity]), [[0, 'size-too-large', 1], [2, 'port-order', 1]]);
    assert.strictEqual(diags[0].message, 'MAX-DATA-SIZE 3g is over the maximum of 2097151 KB (2 GB - 1 KB): use 2047m or less.');
    const page = fileURLToPath(diags[0].codeDescription!.href);
    assert.ok(page.endsWith(path.join('docs', 'rules', 'size-too-large.md')) && fs.existsSync(page), page);
    await client.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 0, character: 14 }, end: { line: 0, character: 16 } }, text: '1g' }],
    });
    assert.deepStrictEqual((await client.diagnosticsFor(uri, 2)).map((d) => d.code), ['port-order']);
  });

  it('links codes to a client command when the client has one', async () => {
    await client.initialize({ ruleDocsCommand: 'multisite.shippingConf.showRuleDocs' });
    await client.open(uri, 'DOWNHOST-TIMEOUT soon');
    const [d] = await client.diagnosticsFor(uri, 1);
    assert.strictEqual(d.codeDescription!.href, 'command:multisite.shippingConf.showRuleDocs?%5B%22downhost-timeout-invalid%22%5D');
  });

  it('reads severities from workspace/configuration and re-validates when settings change', async () => {
    client.settings['multisite.shippingConf'] = { rules: { 'size-zero': 'error' } };
    await client.initialize();
    await client.open(uri, 'MAX-DATA-SIZE 0\nCLEARCASE_MIN_PORT 50000');
    assert.deepStrictEqual((await client.diagnosticsFor(uri, 1)).map((d) => [d.code, d.severity]), [['size-zero', 1], ['port-unpaired', 2]]);
    client.resetDiagnostics(uri);
    client.settings['multisite.shippingConf'] = { rules: { 'size-zero': 'off', 'port-unpaired': 'hint' } };
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    assert.deepStrictEqual((await client.diagnosticsFor(uri)).map((d) => [d.code, d.severity]), [['port-unpaired', 4]]);
  });

  it('takes settings from initializationOptions when the client has no workspace/configuration', async () => {
    await client.initialize({ settings: { multisite: { shippingConf: { rules: { 'size-zero': 'warning' } } } } }, false);
    await client.open(uri, 'MAX-DATA-SIZE 0');
    assert.deepStrictEqual((await client.diagnosticsFor(uri, 1)).map((d) => d.severity), [2]);
  });

  it('checks bays on disk and creates missing folders through the quick fix command', async () => {
    await client.initialize();
    const bay = path.join(dir, 'bays', 'ms_ship');
    await client.open(uri, `STORAGE-BAY -default ${bay}\n`);
    const [d] = await client.diagnosticsFor(uri, 1);
    assert.strictEqual(d.code, 'bay-missing');
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
    const create = actions.find((a) => a.command?.command === 'multisite.shippingConf.createFolders')!;
    assert.strictEqual(create.isPreferred, true);
    client.resetDiagnostics(uri);
    await client.request('workspace/executeCommand', { command: create.command!.command, arguments: create.command!.arguments });
    assert.ok(fs.statSync(path.join(bay, 'incoming')).isDirectory() && fs.statSync(path.join(bay, 'outgoing')).isDirectory());
    assert.deepStrictEqual(await client.diagnosticsFor(uri), []);
  });

  it('looks at the disk again when the file is saved', async () => {
    await client.initialize();
    const bay = path.join(dir, 'later');
    await client.open(uri, `STORAGE-BAY -default ${bay}\n`);
    assert.deepStrictEqual((await client.diagnosticsFor(uri, 1)).map((d) => d.code), ['bay-missing']);
    fs.mkdirSync(path.join(bay, 'incoming'), { recursive: true });
    fs.mkdirSync(path.join(bay, 'outgoing'));
    client.resetDiagnostics(uri);
    await client.conn.sendNotification('textDocument/didSave', { textDocument: { uri } });
    assert.deepStrictEqual(await client.diagnosticsFor(uri), []);
  });

  it('does not touch the disk when file-system checks are off', async () => {
    client.settings['multisite.shippingConf'] = { fileSystemChecks: false };
    await client.initialize();
    await client.open(uri, `STORAGE-BAY -default ${dir}/nothing\nNOTIFICATION-PROGRAM /no/such/notify\n`);
    assert.deepStrictEqual(await client.diagnosticsFor(uri, 1), []);
  });

  it('answers completion, hover, quick fixes, formatting, symbols, folding, tokens, navigation and links', async () => {
    const siteHome = path.join(dir, 'boston');
    fs.mkdirSync(path.join(siteHome, 'config'), { recursive: true });
    fs.writeFileSync(path.join(siteHome, 'config', 'site.ini'), '[host]\nname = boston\n\n[peer.tokyo]\naddress = 10.0.0.9\nport = 1130\n');
    const confUri = pathToFileURL(path.join(siteHome, 'config', 'shipping.conf')).toString();
    const text = 'STORAGE-BAY  nightly /b\nEXPIRATION nightly 3\nROUTE tokyo \nSTORAGE_BAY x /y\n';
    client.settings['multisite.shippingConf'] = { fileSystemChecks: false };
    await client.initialize();
    await client.open(confUri, text);
    const diags = await client.diagnosticsFor(confUri, 1);
    const td = { textDocument: { uri: confUri } };

    const compl = await client.request<CompletionList>('textDocument/completion', { ...td, position: { line: 2, character: 12 } });
    assert.deepStrictEqual(compl.items.map((i) => i.label), ['boston', 'tokyo', '-default']);
    const hover = await client.request<Hover>('textDocument/hover', { ...td, position: { line: 1, character: 2 } });
    assert.match((hover.contents as MarkupContent).value, /^```shipping-conf\nEXPIRATION storage-class number-of-days/);

    const unknown = diags.find((d) => d.code === 'unknown-keyword')!;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { ...td, range: unknown.range, context: { diagnostics: [unknown] } });
    assert.deepStrictEqual(actions[0].edit, { changes: { [confUri]: [{ range: unknown.range, newText: 'STORAGE-BAY' }] } });
    const fixAll = await client.request<CodeAction[]>('textDocument/codeAction', { ...td, range: unknown.range, context: { diagnostics: [], only: ['source.fixAll'] } });
    assert.strictEqual(fixAll[0].kind, 'source.fixAll.shippingConf');

    const fmt = await client.request<TextEdit[]>('textDocument/formatting', { ...td, options: { tabSize: 2, insertSpaces: true } });
    assert.deepStrictEqual(fmt.map((e) => e.newText), ['STORAGE-BAY nightly /b', 'EXPIRATION  nightly 3', 'ROUTE       tokyo']);

    const syms = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', td);
    assert.deepStrictEqual(syms.map((s) => s.name), ['nightly', 'Routes']);
    const folds = await client.request<FoldingRange[]>('textDocument/foldingRange', td);
    assert.deepStrictEqual(folds.map((f) => [f.startLine, f.endLine]), [[0, 3]]);
    const tokens = await client.request<SemanticTokens>('textDocument/semanticTokens/full', td);
    assert.strictEqual(tokens.data.length % 5, 0);
    assert.ok(tokens.data.length >= 5 * 7);

    const def = await client.request<Location[]>('textDocument/definition', { ...td, position: { line: 1, character: 13 } });
    assert.deepStrictEqual(def.map((l) => l.range.start), [{ line: 0, character: 13 }]);
    const peer = await client.request<Location[]>('textDocument/definition', { ...td, position: { line: 2, character: 8 } });
    assert.deepStrictEqual(peer.map((l) => [fileURLToPath(l.uri), l.range.start.line]), [[path.join(siteHome, 'config', 'site.ini'), 3]]);
    const refs = await client.request<Location[]>('textDocument/references', { ...td, position: { line: 0, character: 14 }, context: { includeDeclaration: true } });
    assert.strictEqual(refs.length, 2);
    const rename = await client.request<WorkspaceEdit>('textDocument/rename', { ...td, position: { line: 0, character: 14 }, newName: 'daily' });
    assert.deepStrictEqual(rename.changes![confUri].map((e) => e.range.start.line), [0, 1]);
    const links = await client.request<DocumentLink[]>('textDocument/documentLink', td);
    assert.deepStrictEqual(links.map((l) => l.target), ['file:///b'], 'no link on a line whose keyword is unknown');
  });

  it('rejects a rename that would break the line with an error, and stays up', async () => {
    await client.initialize();
    await client.open(uri, 'STORAGE-BAY nightly /b');
    await assert.rejects(client.request('textDocument/rename', { textDocument: { uri }, position: { line: 0, character: 14 }, newName: 'two words' }), /cannot be a storage-class name/);
    const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } });
    assert.ok(hover);
  });

  it('survives binary junk, out-of-range positions and unknown documents', async () => {
    await client.initialize();
    const junk = Buffer.from(Array.from({ length: 20000 }, (_, i) => (i * 131 + 7) % 256)).toString('latin1');
    await client.open(uri, junk);
    const diags = await client.diagnosticsFor(uri, 1);
    assert.ok(diags.length > 0);
    for (const method of ['textDocument/hover', 'textDocument/completion', 'textDocument/definition']) {
      await client.request(method, { textDocument: { uri }, position: { line: 99999, character: 99999 } });
      await client.request(method, { textDocument: { uri: 'file:///not/open' }, position: { line: 0, character: 0 } });
    }
    assert.strictEqual(await client.shutdown(), 0, client.stderr.join(''));
  });

  it('answers quickly on a 50,000-line file', async () => {
    await client.initialize();
    const lines = Array.from({ length: 50000 }, (_, i) => (i % 7 === 0 ? '# comment' : i % 3 === 0 ? `ROUTE hub${i % 50} host${i}.example.com` : `ADMINISTRATOR user${i}@example.com`));
    await client.open(uri, lines.join('\n'));
    const t0 = Date.now();
    await client.diagnosticsFor(uri, 1);
    const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 25000, character: 2 } });
    assert.ok(hover);
    await client.request('textDocument/completion', { textDocument: { uri }, position: { line: 49999, character: 0 } });
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  });
});
