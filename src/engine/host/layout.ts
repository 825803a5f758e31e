import * as path from 'path';

/** Where things live in a host home (DESIGN: "The host home"). */
export interface HostLayout {
  home: string;
  config: string;
  shippingConf: string;
  siteIni: string;
  keys: string;
  privateKey: string;
  publicKey: string;
  shipping: string;
  /** Storage bay of class -default. */
  shipBay: string;
  /** Return bay of class -default. */
  returnBay: string;
  downhost: string;
  vobs: string;
  vobTags: string;
  log: string;
  /** NOTIFICATION-PROGRAM of the template: <home>/bin/notify. */
  notifyProgram: string;
}

export function hostLayout(home: string): HostLayout {
  const h = path.resolve(home);
  const config = path.join(h, 'config');
  const keys = path.join(config, 'keys');
  const shipping = path.join(h, 'shipping');
  return {
    home: h,
    config,
    shippingConf: path.join(config, 'shipping.conf'),
    siteIni: path.join(config, 'site.ini'),
    keys,
    privateKey: path.join(keys, 'host_ed25519.pem'),
    publicKey: path.join(keys, 'host_ed25519.pub.pem'),
    shipping,
    shipBay: path.join(shipping, 'ms_ship'),
    returnBay: path.join(shipping, 'ms_rtn'),
    downhost: path.join(shipping, 'ms_downhost'),
    vobs: path.join(h, 'vobs'),
    vobTags: path.join(h, 'vobs', 'vob_tags.json'),
    log: path.join(h, 'log'),
    notifyProgram: path.join(h, 'bin', 'notify'),
  };
}
