/**
 * Every diagnostic the shipping.conf validator can report, with its stable code, default
 * severity and documentation. Codes never change meaning once released: users put them in
 * settings (severity overrides) and in suppression comments. docs/rules/<code>.md is rendered
 * from this table (see ruleDocs.ts), so the pages and the validator cannot drift apart.
 */

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface RuleSpec {
  code: string;
  severity: Severity;
  /** Checks that touch the file system; skipped when file-system checks are off. */
  fileSystem?: boolean;
  /** One line: what the rule catches. */
  title: string;
  /** Markdown: why it matters and what is allowed. */
  doc: string;
  /** An example that triggers it. */
  bad: string;
  /** The example, corrected. */
  good: string;
  /** What the quick fix does, when there is one. */
  fix?: string;
}

export const RULES = [
  {
    code: 'unknown-keyword',
    severity: 'error',
    title: 'A line starts with a word that is not a shipping.conf keyword',
    doc:
      'Each line is a comment (starting with `#`), blank, or an entry that starts with one of the keywords: MAX-DATA-SIZE, NOTIFICATION-PROGRAM, ADMINISTRATOR, STORAGE-BAY, RETURN-BAY, EXPIRATION, ROUTE, RECEIPT-HANDLER, CLEARCASE_MIN_PORT, CLEARCASE_MAX_PORT, DOWNHOST-TIMEOUT. ' +
      'Keywords are upper case and spelled exactly. An unknown line is ignored by the shipping server, so the setting you meant silently does not apply. ' +
      'A line that starts with a path usually means an entry was wrapped over two lines: an entry must fit on one line.',
    bad: 'STORAGE_BAY -default /var/multisite/shipping/ms_ship',
    good: 'STORAGE-BAY -default /var/multisite/shipping/ms_ship',
    fix: 'Replaces the word with the nearest keyword, or joins a wrapped path to the entry above.',
  },
  {
    code: 'missing-argument',
    severity: 'error',
    title: 'An entry has fewer arguments than its keyword needs',
    doc: 'Every keyword takes a fixed list of arguments (ROUTE takes a next hop and one or more destinations). An entry with too few is ignored.',
    bad: 'STORAGE-BAY /var/multisite/shipping/ms_ship',
    good: 'STORAGE-BAY -default /var/multisite/shipping/ms_ship',
  },
  {
    code: 'extra-argument',
    severity: 'error',
    title: 'An entry has more arguments than its keyword takes',
    doc: 'Words after the last argument are not allowed. When the extra word is itself a keyword, two entries were written on one line: give each its own line.',
    bad: 'CLEARCASE_MIN_PORT 49152 CLEARCASE_MAX_PORT 65535',
    good: 'CLEARCASE_MIN_PORT 49152\nCLEARCASE_MAX_PORT 65535',
    fix: 'Splits two entries written on one line, or removes the extra words.',
  },
  {
    code: 'trailing-comment',
    severity: 'warning',
    title: 'A comment follows an entry on the same line',
    doc: 'Comments are whole lines starting with `#`. Text after an entry is not a comment to the shipping server and may be read as more arguments.',
    bad: 'EXPIRATION -default 14   # two weeks',
    good: '# two weeks\nEXPIRATION -default 14',
    fix: 'Moves the comment to its own line above the entry.',
  },
  {
    code: 'duplicate-entry',
    severity: 'warning',
    title: 'An entry allowed once is given again',
    doc:
      'MAX-DATA-SIZE, NOTIFICATION-PROGRAM, CLEARCASE_MIN_PORT, CLEARCASE_MAX_PORT and DOWNHOST-TIMEOUT are allowed once per file; EXPIRATION and RECEIPT-HANDLER once per storage class. ' +
      'Repeating any other entry word for word adds nothing. Keep one, so that readers and the shipping server agree on which value applies.',
    bad: 'MAX-DATA-SIZE 512m\nMAX-DATA-SIZE 1g',
    good: 'MAX-DATA-SIZE 512m',
    fix: 'Deletes the repeated line.',
  },
  {
    code: 'size-syntax',
    severity: 'error',
    title: 'MAX-DATA-SIZE is not a size',
    doc: 'A size is a whole number with an optional `k`, `m` or `g` suffix; without a suffix it is in KB. No spaces, signs or decimal points.',
    bad: 'MAX-DATA-SIZE 1.5g',
    good: 'MAX-DATA-SIZE 1536m',
  },
  {
    code: 'size-suffix',
    severity: 'error',
    title: 'MAX-DATA-SIZE has a suffix other than k, m or g',
    doc: 'Only the single letters `k` (KB), `m` (MB) and `g` (GB) are understood. `MB`, `KB`, `GB` or `b` are not.',
    bad: 'MAX-DATA-SIZE 512MB',
    good: 'MAX-DATA-SIZE 512m',
    fix: 'Rewrites the suffix as k, m or g.',
  },
  {
    code: 'size-too-large',
    severity: 'error',
    title: 'MAX-DATA-SIZE is over 2097151 KB',
    doc: 'A physical packet can be at most 2097151 KB (2 GB - 1 KB), which is also the default. `2g` is 1 KB too many.',
    bad: 'MAX-DATA-SIZE 2g',
    good: 'MAX-DATA-SIZE 2047m',
    fix: 'Rewrites the size as the largest value with the same suffix that fits, or as the maximum in KB.',
  },
  {
    code: 'size-zero',
    severity: 'information',
    title: 'MAX-DATA-SIZE 0',
    doc: 'Current releases read `0` as "use the default" (2097151 KB); older ones read it as "no limit". Writing the size you mean avoids the ambiguity.',
    bad: 'MAX-DATA-SIZE 0',
    good: 'MAX-DATA-SIZE 2097151',
    fix: 'Writes the default size explicitly.',
  },
  {
    code: 'program-not-absolute',
    severity: 'error',
    title: 'NOTIFICATION-PROGRAM or RECEIPT-HANDLER is not an absolute path',
    doc: 'The shipping server runs these programs from its own working directory, so a relative path or a bare name may find nothing or the wrong program. Write the full path, starting with `/`.',
    bad: 'RECEIPT-HANDLER -default sync_receive',
    good: 'RECEIPT-HANDLER -default /opt/multisite/config/scheduler/tasks/sync_receive',
  },
  {
    code: 'program-missing',
    severity: 'warning',
    fileSystem: true,
    title: 'NOTIFICATION-PROGRAM or RECEIPT-HANDLER does not exist',
    doc: 'The named program is not on this host. Notifications or packet receipt would fail when the shipping server tries to run it. Checked only when file-system checks are on.',
    bad: 'NOTIFICATION-PROGRAM /usr/local/bin/notfy',
    good: 'NOTIFICATION-PROGRAM /usr/local/bin/notify',
  },
  {
    code: 'program-not-executable',
    severity: 'warning',
    fileSystem: true,
    title: 'NOTIFICATION-PROGRAM or RECEIPT-HANDLER is not executable',
    doc: 'The program exists but this user cannot run it (no execute permission, or it is a directory). Make it executable with `chmod +x`. Checked only when file-system checks are on.',
    bad: 'RECEIPT-HANDLER -default /opt/multisite/notes.txt',
    good: 'RECEIPT-HANDLER -default /opt/multisite/config/scheduler/tasks/sync_receive',
  },
  {
    code: 'administrator-invalid',
    severity: 'warning',
    title: 'ADMINISTRATOR is neither a mail address nor a user name',
    doc: 'Use a mail address such as `ccadmin@example.com`, or a local user name such as `root`. One address per entry; repeat the entry for more people.',
    bad: 'ADMINISTRATOR ccadmin@',
    good: 'ADMINISTRATOR ccadmin@example.com',
  },
  {
    code: 'bay-not-absolute',
    severity: 'error',
    title: 'STORAGE-BAY or RETURN-BAY is not an absolute path',
    doc: 'Bays are named by absolute paths, so every program that reads shipping.conf finds the same directory. Write the full path, starting with `/`.',
    bad: 'STORAGE-BAY -default shipping/ms_ship',
    good: 'STORAGE-BAY -default /var/multisite/shipping/ms_ship',
  },
  {
    code: 'bay-missing',
    severity: 'error',
    fileSystem: true,
    title: 'A bay directory does not exist, or is not a directory',
    doc: 'MultiSite does not create bays: the administrator makes the directory and its `incoming` and `outgoing` subdirectories. Until then the shipping server cannot store packets of the class there. Checked only when file-system checks are on.',
    bad: 'STORAGE-BAY nightly /var/multisite/shipping/nightly   # no such directory',
    good: 'STORAGE-BAY nightly /var/multisite/shipping/nightly   # after mkdir -p .../nightly/incoming .../nightly/outgoing',
    fix: 'Creates the directory with its incoming and outgoing subdirectories.',
  },
  {
    code: 'bay-subdir-missing',
    severity: 'error',
    fileSystem: true,
    title: 'A bay has no incoming or outgoing subdirectory',
    doc: 'Shipping looks for packets only in a bay\'s `incoming` and `outgoing` subdirectories; both must exist. Checked only when file-system checks are on.',
    bad: 'STORAGE-BAY -default /var/multisite/shipping/ms_ship   # only incoming/ exists',
    good: 'STORAGE-BAY -default /var/multisite/shipping/ms_ship   # incoming/ and outgoing/ exist',
    fix: 'Creates the missing subdirectories.',
  },
  {
    code: 'bay-cross-filesystem',
    severity: 'error',
    fileSystem: true,
    title: 'A bay\'s incoming and outgoing are on different file systems',
    doc: 'Packets move between `incoming` and `outgoing` by renaming, which only works within one file system. Mount or create both on the same one. Checked only when file-system checks are on.',
    bad: 'STORAGE-BAY -default /var/ms_ship   # outgoing is a mount point',
    good: 'STORAGE-BAY -default /var/ms_ship   # incoming and outgoing on one file system',
  },
  {
    code: 'bay-not-writable',
    severity: 'warning',
    fileSystem: true,
    title: 'A bay or its subdirectories are not writable',
    doc: 'Packets placed in a bay take the bay\'s owner, group and read-write permissions, and the shipping server must be able to write there. Checked as the user running the check, only when file-system checks are on.',
    bad: 'STORAGE-BAY -default /var/multisite/shipping/ms_ship   # mode 555',
    good: 'STORAGE-BAY -default /var/multisite/shipping/ms_ship   # mode 775',
  },
  {
    code: 'too-many-classes',
    severity: 'error',
    title: 'More than 64 storage classes',
    doc: 'At most 64 storage classes can be created. Every distinct class name on a STORAGE-BAY or RETURN-BAY entry counts, including `-default`.',
    bad: '(65 different storage-class names on STORAGE-BAY entries)',
    good: '(64 or fewer; several kinds of packets can share a class)',
  },
  {
    code: 'class-case-conflict',
    severity: 'warning',
    title: 'Two storage-class names differ only in case',
    doc: 'Class names are case-sensitive: `Nightly` and `nightly` are two different classes. That is almost always a typo that leaves one class without bays or settings.',
    bad: 'STORAGE-BAY nightly /var/ms/nightly\nEXPIRATION Nightly 7',
    good: 'STORAGE-BAY nightly /var/ms/nightly\nEXPIRATION nightly 7',
    fix: 'Renames to the spelling used first.',
  },
  {
    code: 'class-name-invalid',
    severity: 'error',
    title: 'A storage-class name contains a typographic dash or control characters',
    doc: 'Text pasted from formatted documentation often turns `-default` into `–default` (an en dash), which is a different class name. Class names are plain words: letters, digits, `-`, `_` and `.`.',
    bad: 'EXPIRATION –default 14',
    good: 'EXPIRATION -default 14',
    fix: 'Replaces typographic dashes with `-`.',
  },
  {
    code: 'expiration-invalid',
    severity: 'error',
    title: 'EXPIRATION is not a whole number of days, 0 or more',
    doc: 'The expiration period is a whole number of days counted from the creation of the shipping order. `0` means the order never expires and delivery is retried for ever.',
    bad: 'EXPIRATION -default two-weeks',
    good: 'EXPIRATION -default 14',
  },
  {
    code: 'class-without-bay',
    severity: 'warning',
    title: 'EXPIRATION, RECEIPT-HANDLER or RETURN-BAY names a class that has no storage bay',
    doc: 'Settings for a storage class only matter when the class has a STORAGE-BAY. Usually the class name is misspelt, or the STORAGE-BAY entry is missing. `-default` always has a bay (the host\'s own), so it is never reported.',
    bad: 'EXPIRATION nightyl 7',
    good: 'STORAGE-BAY nightly /var/ms/nightly\nEXPIRATION nightly 7',
  },
  {
    code: 'expiration-required',
    severity: 'warning',
    title: 'cq_default has bays but no EXPIRATION',
    doc: 'Unlike `-default`, the `cq_default` class used by multiutil has no default expiration period: give it an EXPIRATION entry.',
    bad: 'STORAGE-BAY cq_default /var/ms/cq',
    good: 'STORAGE-BAY cq_default /var/ms/cq\nEXPIRATION cq_default 14',
    fix: 'Adds `EXPIRATION cq_default 14`.',
  },
  {
    code: 'route-self',
    severity: 'error',
    title: 'A ROUTE names its next hop among its own destinations',
    doc: 'A ROUTE hands packets for the listed hosts to the next hop. Listing the next hop itself as a destination routes it to itself: remove it (packets for the next hop go there directly anyway).',
    bad: 'ROUTE hub.example.com hub.example.com tokyo.example.com',
    good: 'ROUTE hub.example.com tokyo.example.com',
    fix: 'Removes the next hop from the destinations.',
  },
  {
    code: 'route-duplicate-destination',
    severity: 'warning',
    title: 'A destination is routed twice',
    doc: 'Each destination host should appear in one ROUTE only; with two, which next hop is used depends on the reader. Keep one.',
    bad: 'ROUTE hub1 tokyo\nROUTE hub2 tokyo',
    good: 'ROUTE hub1 tokyo',
    fix: 'Removes the repeated destination.',
  },
  {
    code: 'route-cycle',
    severity: 'warning',
    title: 'ROUTE entries form a cycle',
    doc: 'When reaching a next hop is itself routed, and following the routes comes back to where it started, packets go round and never arrive (the shipping server reports "cyclic delivery route detected").',
    bad: 'ROUTE a.example.com b.example.com\nROUTE b.example.com a.example.com',
    good: 'ROUTE a.example.com b.example.com',
  },
  {
    code: 'route-multiple-default',
    severity: 'error',
    title: 'More than one ROUTE uses -default',
    doc: '`-default` catches every destination no other ROUTE names; it can lead to one next hop only.',
    bad: 'ROUTE hub1 -default\nROUTE hub2 -default',
    good: 'ROUTE hub1 -default',
    fix: 'Removes the later `-default`.',
  },
  {
    code: 'route-unknown-peer',
    severity: 'warning',
    title: 'A ROUTE next hop is not a peer of this host',
    doc:
      'The shipping server hands packets only to hosts it knows as peers: those in the host\'s `config/site.ini` (added with `multitool addpeer`), by name or address. A next hop that is not one of them cannot receive anything. ' +
      'Destinations need not be peers: the next hop forwards to them. Checked only in a host\'s own `config/shipping.conf`, against the `site.ini` beside it.',
    bad: 'ROUTE gw.example.com tokyo.example.com   # gw.example.com not in site.ini',
    good: 'ROUTE gw.example.com tokyo.example.com   # after multitool addpeer gw.example.com ...',
  },
  {
    code: 'host-invalid',
    severity: 'error',
    title: 'A ROUTE host is not a valid host name or IP address',
    doc: 'Host names are letters, digits and hyphens in dot-separated labels of at most 63 characters (253 in all), usable from other domains; addresses are dotted IPv4 or IPv6. `-default` is only allowed as a destination.',
    bad: 'ROUTE hub_1 300.1.2.3',
    good: 'ROUTE hub-1.example.com 10.1.2.3',
  },
  {
    code: 'port-range',
    severity: 'error',
    title: 'A port is not a number in its allowed range',
    doc: 'CLEARCASE_MIN_PORT takes 1024 through 65534; CLEARCASE_MAX_PORT takes 1025 through 65535.',
    bad: 'CLEARCASE_MAX_PORT 70000',
    good: 'CLEARCASE_MAX_PORT 65535',
  },
  {
    code: 'port-order',
    severity: 'error',
    title: 'CLEARCASE_MAX_PORT is not above CLEARCASE_MIN_PORT',
    doc: 'The range must be non-empty: CLEARCASE_MAX_PORT must be greater than CLEARCASE_MIN_PORT. The shipping server needs about 30 free ports in the range.',
    bad: 'CLEARCASE_MIN_PORT 65000\nCLEARCASE_MAX_PORT 50000',
    good: 'CLEARCASE_MIN_PORT 50000\nCLEARCASE_MAX_PORT 65000',
    fix: 'Swaps the two values.',
  },
  {
    code: 'port-unpaired',
    severity: 'warning',
    title: 'Only one of CLEARCASE_MIN_PORT and CLEARCASE_MAX_PORT is set',
    doc: 'The two entries describe one range; set both.',
    bad: 'CLEARCASE_MIN_PORT 49152',
    good: 'CLEARCASE_MIN_PORT 49152\nCLEARCASE_MAX_PORT 65535',
    fix: 'Adds the other entry with the end of the Dynamic/Private range.',
  },
  {
    code: 'port-not-dynamic',
    severity: 'hint',
    title: 'A port is outside the Dynamic/Private range 49152–65535',
    doc: 'Ports 49152 through 65535 are reserved for dynamic and private use, so nothing registered listens there. Using that range is good practice; other ports are allowed.',
    bad: 'CLEARCASE_MIN_PORT 2000',
    good: 'CLEARCASE_MIN_PORT 49152',
  },
  {
    code: 'downhost-timeout-invalid',
    severity: 'error',
    title: 'DOWNHOST-TIMEOUT is not a whole number of minutes, 0 or more',
    doc: 'The timeout is a whole number of minutes; `0` turns the unreachable-host list off.',
    bad: 'DOWNHOST-TIMEOUT 1h',
    good: 'DOWNHOST-TIMEOUT 60',
  },
  {
    code: 'unknown-suppression-code',
    severity: 'warning',
    title: 'A suppression comment names a code that does not exist',
    doc: 'Codes in `# shipping-conf-disable` and `# shipping-conf-disable-next-line` comments must be codes listed in these pages; a misspelt code silences nothing.',
    bad: '# shipping-conf-disable-next-line port-ranges',
    good: '# shipping-conf-disable-next-line port-range',
    fix: 'Replaces it with the nearest code.',
  },
] as const satisfies readonly RuleSpec[];

export type RuleCode = (typeof RULES)[number]['code'];

const BY_CODE = new Map<string, RuleSpec>(RULES.map((r) => [r.code, r]));

export function ruleSpec(code: string): RuleSpec | undefined {
  return BY_CODE.get(code);
}

export function isRuleCode(code: string): code is RuleCode {
  return BY_CODE.has(code);
}

export const RULE_CODES: readonly RuleCode[] = RULES.map((r) => r.code);
