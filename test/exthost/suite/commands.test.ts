import * as assert from 'assert';
import * as vscode from 'vscode';
import { api, extension } from './helpers';

describe('the MultiSite commands', () => {
  before(api);

  it('registers every command that package.json contributes', async () => {
    const contributed = (extension().packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    assert.ok(contributed.length >= 2);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepStrictEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  it('re-reads the host homes on multisite.refresh', async () => {
    const a = await api();
    let fired = 0;
    const sub = a.hosts.onDidChange(() => fired++);
    try {
      await vscode.commands.executeCommand('multisite.refresh');
      assert.strictEqual(fired, 1);
    } finally {
      sub.dispose();
    }
  });

  it('opens the settings editor with multisite.openSettings (the remote settings in a remote window, as code-server is)', async () => {
    await vscode.commands.executeCommand('multisite.openSettings');
    try {
      assert.strictEqual(vscode.window.tabGroups.activeTabGroup.activeTab?.label, 'Settings');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
  });
});
