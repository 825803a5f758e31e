import * as path from 'path';
import { MAX_DATA_SIZE_KB, parseSize } from '../size';
import { CQ_DEFAULT_CLASS, DEFAULT_CLASS, DEFAULT_EXPIRATION_DAYS, DEFAULT_ROUTE } from './keywords';
import type { ParsedShippingConf } from './parser';

/**
 * What a shipping.conf means, with the defaults applied: the view the shipping server, the
 * exporters and the tree views use. Built from a parse without judging it: entries whose
 * values are unusable are skipped here (the validator reports them), so a half-broken file
 * still yields a working configuration, as the original's readers do.
 */

export interface StorageClassConfig {
  /** Case-sensitive class name. */
  name: string;
  /** Absolute paths of the class's storage bays, in file order. */
  storageBays: string[];
  /** Absolute paths of the class's return bays, in file order. */
  returnBays: string[];
  /** Days an order may wait; 0 = never expires; undefined = none set (cq_default has no default). */
  expirationDays: number | undefined;
  /** The class's own RECEIPT-HANDLER (see receiptHandlerFor for the fallback to -default). */
  receiptHandler: string | undefined;
}

export interface RouteConfig {
  nextHop: string;
  /** Destination hosts; `-default` stands for every host no other route names. */
  destinations: string[];
  /** 0-based line of the entry. */
  line: number;
}

/** How MAX-DATA-SIZE 0 is read: the current manual says "use the default", older ones "no limit". */
export type ZeroMaxDataSize = 'default' | 'unlimited';

export interface ShippingConf {
  /** The file it was read from, when it was read from a file. */
  path?: string;
  /** Largest physical packet in KB (Infinity when 0 means "no limit" and 0 was given). */
  maxDataSizeKb: number;
  /** Mail program; undefined means the product's built-in notifier. */
  notificationProgram: string | undefined;
  /** Who gets mail; `root` when no ADMINISTRATOR entry exists. */
  administrators: string[];
  /** Every class named anywhere, plus `-default`, by exact name. */
  classes: Map<string, StorageClassConfig>;
  routes: RouteConfig[];
  minPort: number | undefined;
  maxPort: number | undefined;
  downhostTimeoutMinutes: number;
}

export interface BuildOptions {
  /** Host home: class -default falls back to its shipping/ms_ship and shipping/ms_rtn bays. */
  home?: string;
  zeroMaxDataSize?: ZeroMaxDataSize;
  path?: string;
}

const INTEGER = /^\d{1,15}$/;

function intValue(text: string | undefined): number | undefined {
  return text !== undefined && INTEGER.test(text) ? Number(text) : undefined;
}

function classEntry(classes: Map<string, StorageClassConfig>, name: string): StorageClassConfig {
  let c = classes.get(name);
  if (!c) {
    c = { name, storageBays: [], returnBays: [], expirationDays: undefined, receiptHandler: undefined };
    classes.set(name, c);
  }
  return c;
}

/** Builds the configuration a parse describes. Single-valued entries given twice: the first counts. */
export function buildShippingConf(parsed: ParsedShippingConf, options: BuildOptions = {}): ShippingConf {
  const classes = new Map<string, StorageClassConfig>();
  classEntry(classes, DEFAULT_CLASS);
  const expirationSet = new Set<string>();
  const conf: ShippingConf = {
    path: options.path,
    maxDataSizeKb: MAX_DATA_SIZE_KB,
    notificationProgram: undefined,
    administrators: [],
    classes,
    routes: [],
    minPort: undefined,
    maxPort: undefined,
    downhostTimeoutMinutes: 0,
  };
  const seen = new Set<string>();
  const first = (key: string): boolean => {
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  for (const e of parsed.entries) {
    if (!e.spec) continue;
    const a = e.args.map((t) => t.text);
    switch (e.spec.name) {
      case 'MAX-DATA-SIZE': {
        const s = a.length === 1 ? parseSize(a[0]) : undefined;
        if (s && s.kilobytes <= MAX_DATA_SIZE_KB && first('MAX-DATA-SIZE')) {
          conf.maxDataSizeKb = s.kilobytes === 0 ? (options.zeroMaxDataSize === 'unlimited' ? Infinity : MAX_DATA_SIZE_KB) : s.kilobytes;
        }
        break;
      }
      case 'NOTIFICATION-PROGRAM':
        if (a.length === 1 && path.isAbsolute(a[0]) && first('NOTIFICATION-PROGRAM')) conf.notificationProgram = a[0];
        break;
      case 'ADMINISTRATOR':
        if (a.length === 1) conf.administrators.push(a[0]);
        break;
      case 'STORAGE-BAY':
      case 'RETURN-BAY':
        if (a.length === 2 && path.isAbsolute(a[1])) {
          const c = classEntry(classes, a[0]);
          (e.spec.name === 'STORAGE-BAY' ? c.storageBays : c.returnBays).push(a[1]);
        }
        break;
      case 'EXPIRATION': {
        const days = intValue(a[1]);
        if (a.length === 2 && days !== undefined && !expirationSet.has(a[0])) {
          expirationSet.add(a[0]);
          classEntry(classes, a[0]).expirationDays = days;
        }
        break;
      }
      case 'RECEIPT-HANDLER':
        if (a.length === 2 && path.isAbsolute(a[1])) {
          const c = classEntry(classes, a[0]);
          if (c.receiptHandler === undefined) c.receiptHandler = a[1];
        }
        break;
      case 'ROUTE':
        if (a.length >= 2) conf.routes.push({ nextHop: a[0], destinations: a.slice(1), line: e.line });
        break;
      case 'CLEARCASE_MIN_PORT': {
        const p = intValue(a[0]);
        if (a.length === 1 && p !== undefined && p >= 1024 && p <= 65534 && first('MIN')) conf.minPort = p;
        break;
      }
      case 'CLEARCASE_MAX_PORT': {
        const p = intValue(a[0]);
        if (a.length === 1 && p !== undefined && p >= 1025 && p <= 65535 && first('MAX')) conf.maxPort = p;
        break;
      }
      case 'DOWNHOST-TIMEOUT': {
        const m = intValue(a[0]);
        if (a.length === 1 && m !== undefined && first('DOWNHOST')) conf.downhostTimeoutMinutes = m;
        break;
      }
    }
  }
  if (conf.administrators.length === 0) conf.administrators.push('root');
  for (const c of classes.values()) {
    if (!expirationSet.has(c.name) && c.name !== CQ_DEFAULT_CLASS) c.expirationDays = DEFAULT_EXPIRATION_DAYS;
  }
  if (options.home) {
    const d = classes.get(DEFAULT_CLASS) as StorageClassConfig;
    if (d.storageBays.length === 0) d.storageBays.push(path.join(options.home, 'shipping', 'ms_ship'));
    if (d.returnBays.length === 0) d.returnBays.push(path.join(options.home, 'shipping', 'ms_rtn'));
  }
  return conf;
}

/** The class a packet of class `name` uses: the class itself if configured, else `-default` (seed). */
export function storageClassFor(conf: ShippingConf, name: string | undefined): StorageClassConfig {
  const c = name === undefined ? undefined : conf.classes.get(name);
  if (c && (c.storageBays.length > 0 || c.returnBays.length > 0)) return c;
  return conf.classes.get(DEFAULT_CLASS) as StorageClassConfig;
}

/** The receipt handler for a class: its own, else the `-default` class's, else none. */
export function receiptHandlerFor(conf: ShippingConf, name: string | undefined): string | undefined {
  const own = name === undefined ? undefined : conf.classes.get(name)?.receiptHandler;
  return own ?? conf.classes.get(DEFAULT_CLASS)?.receiptHandler;
}

/** The host a packet for `destination` is handed to: its ROUTE's next hop, the `-default` route's, or itself. */
export function nextHopFor(conf: ShippingConf, destination: string): string {
  let fallback: string | undefined;
  for (const r of conf.routes) {
    for (const d of r.destinations) {
      if (d === destination) return r.nextHop;
      if (d === DEFAULT_ROUTE && fallback === undefined) fallback = r.nextHop;
    }
  }
  return fallback ?? destination;
}

/** Names of the classes that have at least one storage or return bay. */
export function configuredClasses(conf: ShippingConf): string[] {
  return [...conf.classes.values()].filter((c) => c.storageBays.length > 0 || c.returnBays.length > 0).map((c) => c.name);
}
