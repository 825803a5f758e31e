import * as vscode from 'vscode';
import { HOSTS_SETTING, type HostHomes } from './hostHomes';
import type { ActionContext } from './commands/action';
import { EXPORT_TO_REPLICA_COMMAND, exportToReplica } from './commands/exportToReplica';
import { IMPORT_FOLDER_COMMAND, importFolder } from './commands/importFolder';
import { IMPORT_PACKET_COMMAND, importPacket } from './commands/importPacket';
import { IMPORT_RECEIVED_COMMAND, importReceived } from './commands/importReceived';
import { OPEN_SHIPPING_CONF_COMMAND, openShippingConf } from './commands/openShippingConf';
import { SHOW_PACKET_COMMAND, showPacket } from './commands/showPacket';

/**
 * Every command of package.json contributes.commands is registered here (checked by the exthost
 * suite). The editor actions (one file each in ./commands/) run the engine in-process, loading
 * its export and import code on first use.
 */
export function registerCommands(hosts: HostHomes, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const ctx: ActionContext = { hosts, log, isTrusted: () => vscode.workspace.isTrusted };
  return [
    vscode.commands.registerCommand('multisite.refresh', () => {
      log.debug('refresh');
      hosts.reload();
    }),
    vscode.commands.registerCommand('multisite.openSettings', openHostSettings),
    vscode.commands.registerCommand(EXPORT_TO_REPLICA_COMMAND, exportToReplica(ctx)),
    vscode.commands.registerCommand(IMPORT_PACKET_COMMAND, importPacket(ctx)),
    vscode.commands.registerCommand(IMPORT_FOLDER_COMMAND, importFolder(ctx)),
    vscode.commands.registerCommand(IMPORT_RECEIVED_COMMAND, importReceived(ctx)),
    vscode.commands.registerCommand(SHOW_PACKET_COMMAND, showPacket(ctx)),
    vscode.commands.registerCommand(OPEN_SHIPPING_CONF_COMMAND, openShippingConf(ctx)),
  ];
}

/**
 * The settings editor on multisite.hosts, on the tab where it takes effect: the setting is
 * machine-scoped, and in a remote window (Remote-SSH, WSL, code-server) VS Code reads such settings
 * only from the remote settings, ignoring them in the user settings.
 */
export function openHostSettings(): Thenable<unknown> {
  return vscode.env.remoteName
    ? vscode.commands.executeCommand('workbench.action.openRemoteSettings', { query: HOSTS_SETTING })
    : vscode.commands.executeCommand('workbench.action.openSettings', HOSTS_SETTING);
}
