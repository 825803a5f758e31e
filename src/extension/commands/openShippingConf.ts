import * as fs from 'fs';
import * as vscode from 'vscode';
import { shippingConfPath } from '../../engine/conf/load';
import { fields, show, stringField, type ActionContext, type ActionResult } from './action';

export const OPEN_SHIPPING_CONF_COMMAND = 'multisite.openShippingConf';

/** multisite.openShippingConf (host node; also a home directory or `{ home }`): opens the host's config/shipping.conf. */
export function openShippingConf(ctx: ActionContext): (arg?: unknown) => Promise<ActionResult> {
  return async (arg) => {
    const home = typeof arg === 'string' ? arg : stringField(arg, 'home') ?? stringField(fields(arg).host, 'home');
    if (!home) return show(ctx, { ok: false, severity: 'error', message: 'Choose the host whose shipping.conf to open in a MultiSite view.' });
    const file = shippingConfPath(home);
    if (!fs.existsSync(file)) {
      return show(ctx, { ok: false, severity: 'error', message: `Host home ${home} has no config/shipping.conf: the defaults apply (class -default, bays under shipping/). Make the host with "multitool mkhost" to get one.` });
    }
    await vscode.window.showTextDocument(vscode.Uri.file(file));
    return { ok: true, severity: 'info', message: `Opened ${file}.` };
  };
}
