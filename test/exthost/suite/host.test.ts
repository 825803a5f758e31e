import * as assert from 'assert';
import * as vscode from 'vscode';

describe('the extension host the suite runs in', () => {
  it('is a real Node extension host of a remote (code-server) or desktop VS Code', () => {
    assert.strictEqual(typeof process.versions.node, 'string');
    assert.ok(vscode.version.startsWith('1.'), vscode.version);
  });

  it('has the demo workspace open', () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.strictEqual(folders.length, 1);
  });

  it('passes the harness environment through', () => {
    assert.ok(process.env.MULTISITE_HOME, 'MULTISITE_HOME is set by the harness');
  });
});
