import type { HostHome } from '../hostHomes';
import { HostTreeDataProvider } from './hostTreeDataProvider';
import { HostNode } from './treeNodes/hostNode';
import { MessageNode } from './treeNodes/messageNode';
import type { TreeNode } from './treeNodes/treeNode';
import { VobNode } from './treeNodes/vobNode';
import { engine } from '../engine';

export const REPLICAS_VIEW = 'multisite.replicas';

/**
 * Replicas view: one node per configured host home (a configured directory that is no host shows
 * with a warning); below a host its VOBs, below each VOB every replica of the family, with how
 * far behind this host estimates it to be.
 */
export class ReplicasTreeDataProvider extends HostTreeDataProvider {
  protected roots(): TreeNode[] {
    // No host at all: stay empty so the welcome view explains what to do.
    if (!this.hosts.hasHost) return [];
    return this.hosts.homes.map((h) => new HostNode(h, REPLICAS_VIEW, (host) => this.vobsOf(host), true));
  }

  /** The host's VOBs and their replicas, read-only through the engine (lsreplica's listing). */
  private async vobsOf(host: HostHome): Promise<TreeNode[]> {
    try {
      // loaded on first use: the replica store stays out of activation
      const { listReplicas } = engine();
      const vobs = await listReplicas({ home: host.home, lockTimeoutMs: 5000 });
      if (vobs.length === 0) return [new MessageNode(`${REPLICAS_VIEW}:${host.home}:none`, 'No VOBs are registered on this host.')];
      return vobs.map((v) => new VobNode(host.home, v));
    } catch (e) {
      this.log?.warn(`Cannot list the replicas of ${host.home}: ${(e as Error).message}`);
      return [new MessageNode(`${REPLICAS_VIEW}:${host.home}:error`, 'replicas cannot be read', (e as Error).message)];
    }
  }
}
