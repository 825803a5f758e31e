import * as vscode from 'vscode';
import { HOSTS_SETTING, type HostHomes } from './hostHomes';

/** Every command of package.json contributes.commands is registered here (checked by the exthost suite). */
export function registerCommands(hosts: HostHomes, log: vscode.LogOutputChannel): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('multisite.refresh', () => {
      log.debug('refresh');
      hosts.reload();
    }),
    vscode.commands.registerCommand('multisite.openSettings', () =>
      vscode.commands.executeCommand('workbench.action.openSettings', HOSTS_SETTING)),
  ];
}
