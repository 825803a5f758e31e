import { configuredClasses, loadShippingConf } from '../../engine/conf';
import type { HostHome } from '../hostHomes';
import { HostTreeDataProvider } from './hostTreeDataProvider';
import { HostNode } from './treeNodes/hostNode';
import { MessageNode } from './treeNodes/messageNode';
import { StorageClassNode } from './treeNodes/storageClassNode';
import type { TreeNode } from './treeNodes/treeNode';

export const BAYS_VIEW = 'multisite.bays';

/** Storage Bays view: host → storage class → storage and return bays, from the host's shipping.conf. */
export class BaysTreeDataProvider extends HostTreeDataProvider {
  protected roots(): TreeNode[] {
    return this.hosts.homes.filter((h) => h.site).map((h) => new HostNode(h, BAYS_VIEW, (host) => this.classesOf(host)));
  }

  private classesOf(host: HostHome): TreeNode[] {
    try {
      const conf = loadShippingConf(host.home);
      return configuredClasses(conf).map((name) => {
        const c = conf.classes.get(name);
        return new StorageClassNode(host.home, name, c?.storageBays ?? [], c?.returnBays ?? [], c?.expirationDays);
      });
    } catch (e) {
      this.log?.warn(`Cannot read the shipping.conf of ${host.home}: ${(e as Error).message}`);
      return [new MessageNode(`${BAYS_VIEW}:${host.home}:error`, 'shipping.conf cannot be read', (e as Error).message)];
    }
  }
}
