import { MAX_DATA_SIZE_KB } from '../size';

/**
 * The shipping.conf keyword table: the one source of truth for what each entry is called,
 * which arguments it takes, its default and its documentation. The parser, the validator,
 * completion, hover, the formatter and the docs pages all read this table; nothing else
 * spells out a keyword. Facts from the seed (seeds/shipping.conf.txt) and domain notes §6,
 * worded in our own words.
 */

/** The storage class MultiSite creates at installation; packets without a class use it. */
export const DEFAULT_CLASS = '-default';
/** The storage class multiutil (ClearQuest/Compass) uses; it is not created at installation. */
export const CQ_DEFAULT_CLASS = 'cq_default';
/** ROUTE's stand-in for "every host not routed by another entry". */
export const DEFAULT_ROUTE = '-default';
/** The seed: "At most 64 storage classes can be created". */
export const MAX_STORAGE_CLASSES = 64;
/** Days a shipping order lives before it is returned, unless EXPIRATION says otherwise. */
export const DEFAULT_EXPIRATION_DAYS = 14;
export const MIN_PORT_RANGE = { low: 1024, high: 65534 } as const;
export const MAX_PORT_RANGE = { low: 1025, high: 65535 } as const;
/** The Dynamic/Private port range the seed recommends for the shipping server. */
export const DYNAMIC_PORT_RANGE = { low: 49152, high: 65535 } as const;

/** What an argument holds; drives validation, completion, hover and semantic tokens. */
export type ArgKind =
  | 'size'
  | 'program'
  | 'address'
  | 'class'
  | 'bay'
  | 'days'
  | 'host'
  | 'destination'
  | 'port'
  | 'minutes';

export interface ArgSpec {
  /** Placeholder name as the seed writes it, e.g. "storage-class". */
  name: string;
  kind: ArgKind;
  /** One sentence for hover and completion. */
  doc: string;
}

export type Multiplicity =
  /** Allowed once in the file (a second one is a duplicate). */
  | 'single'
  /** Allowed once per storage class. */
  | 'perClass'
  /** Allowed any number of times. */
  | 'many';

export interface KeywordSpec {
  name: string;
  /** Fixed arguments, in order. */
  args: readonly ArgSpec[];
  /** When set, the last argument may repeat (ROUTE's destinations). */
  repeatLast?: boolean;
  multiplicity: Multiplicity;
  /** Section of the seed the entry belongs to; used to group docs. */
  section: string;
  /** The default, in words. */
  defaultText: string;
  /** One line shown in completion lists. */
  summary: string;
  /** Markdown paragraphs: what it controls, in our own words. */
  doc: string;
  /** VS Code snippet inserted by completion. */
  snippet: string;
  /** A realistic example line. */
  example: string;
}

const classArg: ArgSpec = {
  name: 'storage-class',
  kind: 'class',
  doc: 'Name of a storage class (case-sensitive): `-default`, `cq_default`, or one you choose.',
};

export const KEYWORDS: readonly KeywordSpec[] = [
  {
    name: 'MAX-DATA-SIZE',
    args: [{ name: 'size', kind: 'size', doc: `Largest physical packet: an integer with an optional \`k\`, \`m\` or \`g\` suffix (no suffix = KB), at most ${MAX_DATA_SIZE_KB} KB.` }],
    multiplicity: 'single',
    section: 'Packet size',
    defaultText: `${MAX_DATA_SIZE_KB} KB (2 GB - 1 KB), which is also the maximum`,
    summary: 'Largest physical packet file',
    doc:
      'Splits each logical packet into physical packet files no larger than this size. Smaller packets can travel more reliably over poor links.\n\n' +
      'Write an integer, optionally followed by `k` (KB), `m` (MB) or `g` (GB); without a suffix the number is in KB. `0` means the default. ' +
      '`syncreplica` and `mkreplica` with `-ship` or `-fship` use this value unless `-maxsize` is given; with `-out`, only `-maxsize` limits the size.',
    snippet: 'MAX-DATA-SIZE ${1:512m}',
    example: 'MAX-DATA-SIZE 512m',
  },
  {
    name: 'NOTIFICATION-PROGRAM',
    args: [{ name: 'e-mail-program-pathname', kind: 'program', doc: 'Absolute path of an executable mail program, called as `PROGRAM -s SUBJECT -f MESSAGE-FILE ADDRESS...`.' }],
    multiplicity: 'single',
    section: 'Notification',
    defaultText: 'the `notify` program installed with MultiSite',
    summary: 'Program that mails the administrators',
    doc:
      'The mail program the shipping server runs to tell the administrators that a shipping order expired, that an undeliverable packet came back, ' +
      'or that an import met a replica-creation packet. It is called as `PROGRAM -s SUBJECT -f MESSAGE-FILE ADDRESS...`.',
    snippet: 'NOTIFICATION-PROGRAM ${1:/usr/local/bin/notify}',
    example: 'NOTIFICATION-PROGRAM /opt/multisite/bin/notify',
  },
  {
    name: 'ADMINISTRATOR',
    args: [{ name: 'e-mail-address', kind: 'address', doc: 'A mail address (`name@example.com`) or a local user name (`root`).' }],
    multiplicity: 'many',
    section: 'Administrator address',
    defaultText: '`root`',
    summary: 'Who receives store-and-forward mail',
    doc:
      'Mail address of an administrator of this host\'s store-and-forward facility. Give one address per entry; ' +
      'repeat the entry to notify several people. Everyone listed receives each notification.',
    snippet: 'ADMINISTRATOR ${1:root}',
    example: 'ADMINISTRATOR ccadmin@example.com',
  },
  {
    name: 'STORAGE-BAY',
    args: [classArg, { name: 'directory-pathname', kind: 'bay', doc: 'Absolute path of an existing, writable directory with `incoming` and `outgoing` subdirectories on one file system.' }],
    multiplicity: 'many',
    section: 'Storage bay and return bay',
    defaultText: 'class `-default` uses the host\'s `shipping/ms_ship` bay',
    summary: 'Directory holding a storage class\'s packets',
    doc:
      'Declares a storage bay: the directory where packets and shipping orders of a storage class wait, incoming ones in `incoming/`, ' +
      'outgoing ones in `outgoing/`. Both subdirectories must exist and sit on the same file system. ' +
      'A class may have several bays; the shipping server picks one by free space, so their order does not matter. ' +
      'Received packets take the owner, group and read-write permissions of the bay. Keep bays off the partitions that hold VOB storage.',
    snippet: 'STORAGE-BAY ${1:-default} ${2:/var/multisite/shipping/ms_ship}',
    example: 'STORAGE-BAY -default /var/multisite/shipping/ms_ship',
  },
  {
    name: 'RETURN-BAY',
    args: [classArg, { name: 'directory-pathname', kind: 'bay', doc: 'Absolute path of an existing, writable directory with `incoming` and `outgoing` subdirectories on one file system.' }],
    multiplicity: 'many',
    section: 'Storage bay and return bay',
    defaultText: 'class `-default` uses the host\'s `shipping/ms_rtn` bay',
    summary: 'Directory holding packets on their way back',
    doc:
      'Declares a return bay: where packets of a storage class wait while they travel back to their origin because they could not be delivered to every destination. ' +
      'Like a storage bay it needs `incoming/` and `outgoing/` on one file system, and a class may have several.',
    snippet: 'RETURN-BAY ${1:-default} ${2:/var/multisite/shipping/ms_rtn}',
    example: 'RETURN-BAY -default /var/multisite/shipping/ms_rtn',
  },
  {
    name: 'EXPIRATION',
    args: [classArg, { name: 'number-of-days', kind: 'days', doc: 'Whole days a shipping order may wait for delivery; `0` means it never expires.' }],
    multiplicity: 'perClass',
    section: 'Expiration period',
    defaultText: `${DEFAULT_EXPIRATION_DAYS} days (\`cq_default\` has no default and needs an entry)`,
    summary: 'Days before an undelivered order goes back',
    doc:
      'How many days a shipping order of this storage class may wait, counted from its creation. A packet not delivered to all its destinations in time ' +
      'is sent back to its origin and the administrators are mailed. `0` keeps retrying for ever. `-pexpire` on `syncreplica` or `mkreplica` overrides it. ' +
      'The shipping server tries each order once per run, so expiry only matters when `shipping_server -poll` runs regularly.',
    snippet: 'EXPIRATION ${1:-default} ${2:14}',
    example: 'EXPIRATION -default 14',
  },
  {
    name: 'ROUTE',
    args: [
      { name: 'next-hop', kind: 'host', doc: 'Host (name or numeric address) that takes the packets and delivers or forwards them.' },
      { name: 'host', kind: 'destination', doc: 'Final destination routed through the next hop, or `-default` for every host no other ROUTE names.' },
    ],
    repeatLast: true,
    multiplicity: 'many',
    section: 'Packet routing',
    defaultText: 'none: packets go straight to their destination',
    summary: 'Send packets for some hosts through another host',
    doc:
      'Packets whose final destination is one of the listed hosts are handed to the next hop, which delivers them or forwards them further. ' +
      'Use names every site can resolve, or numeric addresses. `-default` as the destination routes every host that no other ROUTE entry names.',
    snippet: 'ROUTE ${1:hub.example.com} ${2:-default}',
    example: 'ROUTE hub.example.com sydney.example.com tokyo.example.com',
  },
  {
    name: 'RECEIPT-HANDLER',
    args: [classArg, { name: 'script-pathname', kind: 'program', doc: 'Absolute path of an executable run for each packet received in a bay of the class.' }],
    multiplicity: 'perClass',
    section: 'Receipt handler',
    defaultText: 'none',
    summary: 'Script run when a packet arrives',
    doc:
      'The program the shipping server runs for every packet that arrives in a bay of the storage class, usually `sync_receive`. ' +
      'It is called with `-o ORIGIN-HOST` and, as applicable, `-d PACKET` (packet for this host), `-a ORDER` (packet to forward) and `-s CLASS`. ' +
      'A class without its own handler uses the `-default` class\'s handler.',
    snippet: 'RECEIPT-HANDLER ${1:-default} ${2:/opt/multisite/config/scheduler/tasks/sync_receive}',
    example: 'RECEIPT-HANDLER -default /opt/multisite/config/scheduler/tasks/sync_receive',
  },
  {
    name: 'CLEARCASE_MIN_PORT',
    args: [{ name: 'port-number', kind: 'port', doc: `Lowest port the shipping server may use: ${MIN_PORT_RANGE.low} through ${MIN_PORT_RANGE.high}.` }],
    multiplicity: 'single',
    section: 'Port numbers',
    defaultText: 'none: any port',
    summary: 'Lowest port for shipping through a firewall',
    doc:
      `With CLEARCASE_MAX_PORT, limits the ports the shipping server uses, for hosts behind a firewall. Set both. ` +
      `Allowed: ${MIN_PORT_RANGE.low} through ${MIN_PORT_RANGE.high}, and below CLEARCASE_MAX_PORT. ` +
      `The Dynamic/Private range ${DYNAMIC_PORT_RANGE.low}–${DYNAMIC_PORT_RANGE.high} is the usual choice; leave room for at least 30 free ports.`,
    snippet: `CLEARCASE_MIN_PORT \${1:${DYNAMIC_PORT_RANGE.low}}`,
    example: `CLEARCASE_MIN_PORT ${DYNAMIC_PORT_RANGE.low}`,
  },
  {
    name: 'CLEARCASE_MAX_PORT',
    args: [{ name: 'port-number', kind: 'port', doc: `Highest port the shipping server may use: ${MAX_PORT_RANGE.low} through ${MAX_PORT_RANGE.high}.` }],
    multiplicity: 'single',
    section: 'Port numbers',
    defaultText: 'none: any port',
    summary: 'Highest port for shipping through a firewall',
    doc:
      `With CLEARCASE_MIN_PORT, limits the ports the shipping server uses, for hosts behind a firewall. Set both. ` +
      `Allowed: ${MAX_PORT_RANGE.low} through ${MAX_PORT_RANGE.high}, and above CLEARCASE_MIN_PORT. ` +
      `The Dynamic/Private range ${DYNAMIC_PORT_RANGE.low}–${DYNAMIC_PORT_RANGE.high} is the usual choice.`,
    snippet: `CLEARCASE_MAX_PORT \${1:${DYNAMIC_PORT_RANGE.high}}`,
    example: `CLEARCASE_MAX_PORT ${DYNAMIC_PORT_RANGE.high}`,
  },
  {
    name: 'DOWNHOST-TIMEOUT',
    args: [{ name: 'minutes', kind: 'minutes', doc: 'Whole minutes to leave an unreachable host alone; `0` tries it every time.' }],
    multiplicity: 'single',
    section: 'Timeout period for unreachable hosts',
    defaultText: '0: every run tries every host',
    summary: 'Minutes to skip a host that was unreachable',
    doc:
      'When a destination cannot be reached, the shipping server notes it in `shipping/ms_downhost`. For this many minutes afterwards it does not try that host again, ' +
      'which saves the roughly 30 seconds each failed attempt costs. `0` turns this off (unless `SHP_DOWNHOST_TIMEOUT_RETRY` is set); this entry wins over that variable.',
    snippet: 'DOWNHOST-TIMEOUT ${1:30}',
    example: 'DOWNHOST-TIMEOUT 30',
  },
];

const BY_NAME = new Map<string, KeywordSpec>(KEYWORDS.map((k) => [k.name, k]));

/** The keyword spec for an exact (case-sensitive) name. */
export function keywordSpec(name: string): KeywordSpec | undefined {
  return BY_NAME.get(name);
}

/** Minimum and maximum argument counts (maximum is Infinity for ROUTE). */
export function argCounts(spec: KeywordSpec): { min: number; max: number } {
  return { min: spec.args.length, max: spec.repeatLast ? Infinity : spec.args.length };
}

/** The ArgSpec describing argument number `index` (0-based) of an entry, if any. */
export function argSpecAt(spec: KeywordSpec, index: number): ArgSpec | undefined {
  if (index < spec.args.length) return spec.args[index];
  return spec.repeatLast ? spec.args[spec.args.length - 1] : undefined;
}

/** Synopsis line as the seed prints it: `STORAGE-BAY storage-class directory-pathname`. */
export function synopsis(spec: KeywordSpec): string {
  const names = spec.args.map((a) => a.name);
  if (spec.repeatLast) names[names.length - 1] += ' ...';
  return [spec.name, ...names].join(' ');
}

/**
 * The valid keyword closest to what was typed (case-insensitive edit distance), when it is
 * close enough to be a plausible typo; used by the unknown-keyword message and quick fix.
 */
export function nearestKeyword(typed: string): string | undefined {
  if (typed.length > 28) return undefined; // 8+ edits from the longest keyword
  const upper = typed.toUpperCase().replace(/_/g, '-');
  let best: string | undefined;
  // No keyword is longer than 20 characters, so no plausible typo is more than 7 edits away:
  // starting with that cap keeps long junk words (binary files) from costing a full comparison.
  let bestDistance = 8;
  for (const k of KEYWORDS) {
    const d = editDistance(upper, k.name.replace(/_/g, '-'), bestDistance);
    if (d < bestDistance) {
      bestDistance = d;
      best = k.name;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(2, Math.floor(best.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** Levenshtein distance, giving up early once it exceeds `cap` (only closer matches matter). */
export function editDistance(a: string, b: string, cap = Infinity): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (cur[j] < rowMin) rowMin = cur[j];
    }
    if (rowMin >= cap) return cap;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}
