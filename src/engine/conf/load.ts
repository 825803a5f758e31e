import * as fs from 'fs';
import * as path from 'path';
import { buildShippingConf, type ShippingConf, type ZeroMaxDataSize } from './model';
import { parseShippingConf } from './parser';

/** Where a host home keeps its shipping.conf (DESIGN: "The host home"). */
export function shippingConfPath(home: string): string {
  return path.join(home, 'config', 'shipping.conf');
}

/**
 * Reads a host's config/shipping.conf and returns its configuration with defaults applied.
 * A missing file yields the defaults (class -default with the home's shipping/ms_ship and
 * shipping/ms_rtn bays); unusable entries are skipped, as validateShippingConf reports them.
 */
export function loadShippingConf(home: string, options: { zeroMaxDataSize?: ZeroMaxDataSize; file?: string } = {}): ShippingConf {
  const file = options.file ?? shippingConfPath(home);
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  return buildShippingConf(parseShippingConf(text), { home, path: file, zeroMaxDataSize: options.zeroMaxDataSize });
}
