import * as path from 'path';
import { loadShippingConf } from '../../engine/conf';
import type { HostHome } from '../hostHomes';
import { HostTreeDataProvider } from './hostTreeDataProvider';
import { BayFolderNode } from './treeNodes/bayFolderNode';
import { HostNode } from './treeNodes/hostNode';
import type { TreeNode } from './treeNodes/treeNode';

export const PACKETS_VIEW = 'multisite.packets';

/**
 * Packets view: host → the incoming/outgoing folders of its bays (every class of its
 * shipping.conf; the home's default bays if that cannot be read) → the packets in them, from
 * their headers.
 */
export class PacketsTreeDataProvider extends HostTreeDataProvider {
  protected roots(): TreeNode[] {
    return this.hosts.homes.filter((h) => h.site).map((h) => new HostNode(h, PACKETS_VIEW, (host) => this.foldersOf(host)));
  }

  private foldersOf(host: HostHome): TreeNode[] {
    const bays: [string, 'storage' | 'return', string][] = [];
    try {
      for (const c of loadShippingConf(host.home).classes.values()) {
        for (const b of c.storageBays) bays.push([c.name, 'storage', b]);
        for (const b of c.returnBays) bays.push([c.name, 'return', b]);
      }
    } catch (e) {
      this.log?.warn(`Cannot read the shipping.conf of ${host.home}: ${(e as Error).message}; showing its default bays`);
      bays.push(['-default', 'storage', path.join(host.home, 'shipping', 'ms_ship')], ['-default', 'return', path.join(host.home, 'shipping', 'ms_rtn')]);
    }
    const seen = new Set<string>();
    return bays.filter(([, , dir]) => !seen.has(path.resolve(dir)) && seen.add(path.resolve(dir)))
      .flatMap(([cls, kind, dir]) => BayFolderNode.existing(host.home, cls, kind, dir));
  }
}
