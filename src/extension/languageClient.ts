import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';

/** Opens the documentation page of a shipping.conf diagnostic code (docs/rules/<code>.md). */
export const SHOW_RULE_DOCS_COMMAND = 'multisite.shippingConf.showRuleDocs';

/**
 * Starts the shipping.conf language server (dist/server.js) over IPC and returns the running
 * client.
 *
 * Diagnostic codes link to their pages through a command URI (`command:<SHOW_RULE_DOCS_COMMAND>?["code"]`):
 * VS Code opens codeDescription links with commands allowed in the hover, the peek view and the
 * Problems panel, and the command reads the page from the installed extension
 * (context.extensionUri), so the link works the same in desktop VS Code, remote windows and
 * code-server, and shows the page rendered. A file: URI would depend on which machine the
 * window resolves it on and would open raw Markdown.
 *
 * In an untrusted workspace the server is told file-system checks are off, whatever the
 * settings say (workspace settings cannot turn them on); granting trust turns them back on.
 */
export async function startLanguageClient(context: vscode.ExtensionContext): Promise<LanguageClient> {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'shipping-conf' }],
    initializationOptions: { ruleDocsCommand: SHOW_RULE_DOCS_COMMAND },
    synchronize: { configurationSection: ['multisite.shippingConf', 'multisite.hosts'] },
    middleware: {
      workspace: {
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (vscode.workspace.isTrusted || !Array.isArray(result)) return result;
          return result.map((r: unknown, i: number) =>
            params.items[i]?.section === 'multisite.shippingConf' && r !== null && typeof r === 'object' ? { ...(r as object), fileSystemChecks: false } : r,
          );
        },
      },
    },
  };
  const client = new LanguageClient('multisite.shippingConf', 'MultiSite shipping.conf', serverOptions, clientOptions);
  const status = createStatusItem();
  context.subscriptions.push(
    vscode.commands.registerCommand(SHOW_RULE_DOCS_COMMAND, (code: unknown) => showRuleDocs(context, code)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      updateStatus(status);
      void client.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('multisite.shippingConf.fileSystemChecks')) updateStatus(status);
    }),
    status,
    { dispose: () => void client.stop() },
  );
  await client.start();
  return client;
}

async function showRuleDocs(context: vscode.ExtensionContext, code: unknown): Promise<void> {
  if (typeof code !== 'string' || !/^[a-z][a-z-]*$/.test(code)) return;
  const page = vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules', `${code}.md`);
  try {
    await vscode.workspace.fs.stat(page);
  } catch {
    void vscode.window.showWarningMessage(`No documentation page for shipping.conf code "${code}".`);
    return;
  }
  try {
    await vscode.commands.executeCommand('markdown.showPreview', page);
  } catch {
    await vscode.window.showTextDocument(page, { preview: true });
  }
}

/** Says in the language status whether bays and programs are checked on disk, and why not. */
function createStatusItem(): vscode.LanguageStatusItem {
  const item = vscode.languages.createLanguageStatusItem('multisite.shippingConf.fileSystemChecks', { language: 'shipping-conf' });
  item.name = 'shipping.conf file-system checks';
  updateStatus(item);
  return item;
}

function updateStatus(item: vscode.LanguageStatusItem): void {
  const setting = vscode.workspace.getConfiguration('multisite.shippingConf').get<boolean>('fileSystemChecks', true);
  if (!vscode.workspace.isTrusted) {
    item.text = 'Bays not checked on disk';
    item.detail = 'untrusted workspace';
    item.severity = vscode.LanguageStatusSeverity.Warning;
    item.command = { title: 'Manage Trust', command: 'workbench.trust.manage' };
  } else if (!setting) {
    item.text = 'Bays not checked on disk';
    item.detail = 'turned off in settings';
    item.severity = vscode.LanguageStatusSeverity.Information;
    item.command = { title: 'Settings', command: 'workbench.action.openSettings', arguments: ['multisite.shippingConf.fileSystemChecks'] };
  } else {
    item.text = 'Bays checked on disk';
    item.detail = undefined;
    item.severity = vscode.LanguageStatusSeverity.Information;
    item.command = { title: 'Settings', command: 'workbench.action.openSettings', arguments: ['multisite.shippingConf.fileSystemChecks'] };
  }
}
