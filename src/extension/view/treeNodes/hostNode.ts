import * as vscode from 'vscode';
import type { HostHome } from '../../hostHomes';
import type { TreeNode } from './treeNode';

/**
 * A configured host home. Stable id (the home path) so a refresh keeps expansion and selection;
 * volatile facts go to description and tooltip.
 */
export class HostNode implements TreeNode {
  /**
   * `children` lists what is below the host in this view; when it works asynchronously (engine
   * reads), pass `lazy` so the node is shown expandable without calling it up front.
   */
  constructor(readonly host: HostHome, private readonly view: string,
    private readonly children: (host: HostHome) => TreeNode[] | Promise<TreeNode[]> = () => [], private readonly lazy = false) {}

  get name(): string {
    return this.host.site?.name ?? this.host.home;
  }

  getTreeItem(): vscode.TreeItem {
    const { site, home, error } = this.host;
    const kids = site && !this.lazy ? this.children(this.host) : [];
    const expandable = site !== undefined && (this.lazy || !Array.isArray(kids) || kids.length > 0);
    const item = new vscode.TreeItem(this.name, expandable ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.id = `${this.view}:host:${home}`;
    item.contextValue = site ? 'host' : 'host:missing';
    item.iconPath = new vscode.ThemeIcon(site ? 'server' : 'warning');
    item.resourceUri = vscode.Uri.file(home);
    if (site) {
      item.description = site.address ? `${site.address}${site.port ? `:${site.port}` : ''}` : home;
      item.tooltip = new vscode.MarkdownString(`**${site.name}**  \n\`${home}\`${site.peers.length ? `  \npeers: ${site.peers.map((p) => p.name).join(', ')}` : ''}`);
    } else {
      item.description = error ? 'site.ini unreadable' : 'not a host (no config/site.ini)';
      item.tooltip = error ? `${home}: ${error}` : `${home} has no config/site.ini: make it a host with multitool mkhost -name HOST`;
    }
    return item;
  }

  getChildren(): TreeNode[] | Promise<TreeNode[]> {
    return this.host.site ? this.children(this.host) : [];
  }
}
