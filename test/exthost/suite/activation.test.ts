import * as assert from 'assert';
import * as vscode from 'vscode';
import { eventually, extension } from './helpers';

// Runs first (files load in name order): nothing has touched the extension yet.
describe('activation of the MultiSite extension', () => {
  it('does not activate on startup', () => {
    assert.strictEqual(extension().isActive, false);
  });

  it('activates by itself when a shipping.conf is opened, which gets the shipping-conf language', async () => {
    const [folder] = vscode.workspace.workspaceFolders ?? [];
    assert.ok(folder, 'the harness opens the demo workspace');
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, 'shipping.conf'));
    await vscode.window.showTextDocument(doc);
    assert.strictEqual(doc.languageId, 'shipping-conf');
    await eventually(() => extension().isActive, 'activation on the shipping-conf language');
  });

  it('knows the shipping-conf language and its # line comments', async () => {
    assert.ok((await vscode.languages.getLanguages()).includes('shipping-conf'));
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor && editor.document.languageId === 'shipping-conf');
    editor.selection = new vscode.Selection(5, 0, 5, 0); // "MAX-DATA-SIZE 500m"
    const before = editor.document.lineAt(5).text;
    await vscode.commands.executeCommand('editor.action.commentLine');
    assert.strictEqual(editor.document.lineAt(5).text, `# ${before}`);
    await vscode.commands.executeCommand('undo');
  });
});
