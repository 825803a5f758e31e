import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { HostHomes } from './hostHomes';
import { PACKET_SCHEME, PacketDocumentProvider } from './packetDocument';
import { BAYS_VIEW, BaysTreeDataProvider } from './view/baysTreeDataProvider';
import { PACKETS_VIEW, PacketsTreeDataProvider } from './view/packetsTreeDataProvider';
import { REPLICAS_VIEW, ReplicasTreeDataProvider } from './view/replicasTreeDataProvider';

/** What activate() returns: the live objects, for the extension-host tests and other extensions. */
export interface MultiSiteApi {
  hosts: HostHomes;
  replicas: ReplicasTreeDataProvider;
  bays: BaysTreeDataProvider;
  packets: PacketsTreeDataProvider;
  log: vscode.LogOutputChannel;
  /** Time spent inside activate(), in ms (module loading not included). */
  activationMs: number;
}

const SHIPPING_CONF = 'shipping-conf';

// Activation comes only from the views, the commands and the shipping-conf language (implicit
// events of package.json contributes): never `*`. Keep it cheap: no engine work happens here
// beyond reading each configured home's site.ini.
export function activate(context: vscode.ExtensionContext): MultiSiteApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('MultiSite', { log: true });
  const hosts = new HostHomes(log);
  const replicas = new ReplicasTreeDataProvider(hosts, log);
  const bays = new BaysTreeDataProvider(hosts, log);
  const packets = new PacketsTreeDataProvider(hosts, log);
  const packetDocuments = new PacketDocumentProvider();
  context.subscriptions.push(
    log, hosts, replicas, bays, packets, packetDocuments,
    vscode.workspace.registerTextDocumentContentProvider(PACKET_SCHEME, packetDocuments),
    hosts.onDidChange(() => packetDocuments.refresh()),
    vscode.window.createTreeView(REPLICAS_VIEW, { treeDataProvider: replicas, showCollapseAll: true }),
    vscode.window.createTreeView(BAYS_VIEW, { treeDataProvider: bays, showCollapseAll: true }),
    vscode.window.createTreeView(PACKETS_VIEW, { treeDataProvider: packets, showCollapseAll: true }),
    ...registerCommands(hosts, log),
  );
  hosts.reload();
  startLanguageSupport(context, log);
  const activationMs = performance.now() - started;
  log.info(`MultiSite activated in ${activationMs.toFixed(1)} ms`);
  return { hosts, replicas, bays, packets, log, activationMs };
}

/**
 * Starts the shipping.conf language client (src/extension/languageClient.ts) when the first
 * shipping-conf document is open, not before: activation by a view or a command then costs
 * neither loading the client library nor a server process. Not awaited: the server's start-up
 * must not hold up activation.
 */
function startLanguageSupport(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  let started = false;
  const start = (): void => {
    if (started) return;
    started = true;
    import('./languageClient')
      .then((m) => m.startLanguageClient(context))
      .catch((e: unknown) => log.error(`The shipping.conf language server did not start: ${e instanceof Error ? e.message : String(e)}`));
  };
  if (vscode.workspace.textDocuments.some((d) => d.languageId === SHIPPING_CONF)) {
    start();
    return;
  }
  const waiting = vscode.workspace.onDidOpenTextDocument((d) => {
    if (d.languageId !== SHIPPING_CONF) return;
    waiting.dispose();
    start();
  });
  context.subscriptions.push(waiting);
}

export function deactivate(): void {}
