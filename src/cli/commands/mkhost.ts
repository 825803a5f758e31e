import type { CommandSpec } from '../command';
import { UsageError } from '../../engine/errors';
import { mkhost as makeHost } from '../../engine/host/host';
import { operands, requireValue } from './engineContext';

const usage = 'mkhost -name HOST [-address A] [-port N]';

export const mkhost: CommandSpec = {
  name: 'mkhost',
  usage,
  options: [
    { name: 'name', kind: 'value' },
    { name: 'address', kind: 'value' },
    { name: 'port', kind: 'value' },
  ],
  async run(ctx, args) {
    operands(args, 0, 0, usage, '');
    const name = requireValue(args, 'name', usage);
    const portText = args.values.get('port');
    const port = portText === undefined ? undefined : Number(portText);
    if (portText !== undefined && !/^\d+$/.test(portText)) throw new UsageError(`Invalid port "${portText}": use 1 through 65535.`, usage);
    const host = makeHost(ctx.home, { name, address: args.values.get('address'), port });
    ctx.out(`Created host "${host.name}" in ${host.layout.home}.`);
    ctx.out(`  Public key: ${host.layout.publicKey}`);
    ctx.out(`  Shipping configuration: ${host.layout.shippingConf}`);
  },
};
