import type { CommandSpec } from '../command';
import { exclusive, oneOf } from '../args';
import { UsageError } from '../../engine/errors';
import { addPeer } from '../../engine/host/host';
import { operands, requireValue, resolvePath } from './engineContext';

const usage = 'addpeer HOST -address A -port N (-key PUBKEY-FILE | -home DIR)';

export const addpeer: CommandSpec = {
  name: 'addpeer',
  usage,
  options: [
    { name: 'address', kind: 'value' },
    { name: 'port', kind: 'value' },
    { name: 'key', kind: 'value' },
    { name: 'home', kind: 'value' },
  ],
  async run(ctx, args) {
    const [name] = operands(args, 1, 1, usage, 'host name');
    const address = requireValue(args, 'address', usage);
    const portText = requireValue(args, 'port', usage);
    if (!/^\d+$/.test(portText)) throw new UsageError(`Invalid port "${portText}": use 1 through 65535.`, usage);
    exclusive(args, ['key', 'home']);
    const which = oneOf(args, ['key', 'home']);
    const value = resolvePath(ctx, args.values.get(which) as string);
    const r = addPeer(ctx.home, {
      name,
      address,
      port: Number(portText),
      ...(which === 'key' ? { keyFile: value } : { peerHome: value }),
    });
    ctx.out(`${r.replaced ? 'Updated' : 'Added'} peer "${name}" (${address}:${r.peer.port})${r.peer.home ? `, home ${r.peer.home}` : ''}.`);
  },
};
