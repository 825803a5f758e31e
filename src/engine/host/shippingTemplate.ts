import type { HostLayout } from './layout';

/**
 * The shipping.conf that mkhost writes: the seed's entries with this home's absolute paths,
 * as an installation's template names its own install directory.
 */
export function shippingConfTemplate(l: HostLayout): string {
  return `# shipping.conf: store-and-forward configuration of this host.
# Written by "multitool mkhost" for the host home ${l.home}.
# Lines starting with # are comments. Sizes take k, m or g (no suffix = KB).

# Largest physical packet for -ship/-fship (default and maximum: 2097151 KB).
MAX-DATA-SIZE 2097151k

# Who is told about expired, returned or creation packets, and how.
ADMINISTRATOR root
NOTIFICATION-PROGRAM ${l.notifyProgram}

# Storage and return bays of the default class (each holds incoming/ and outgoing/).
STORAGE-BAY -default ${l.shipBay}
RETURN-BAY -default ${l.returnBay}

# Days before an undelivered shipping order is returned (0 = never).
EXPIRATION -default 14

# ROUTE next-hop host ...          send packets for these hosts through next-hop
# ROUTE next-hop -default          ... and for every other host
# RECEIPT-HANDLER -default script  run for each packet received in a bay of the class
# CLEARCASE_MIN_PORT 49152
# CLEARCASE_MAX_PORT 65535
# DOWNHOST-TIMEOUT 30
`;
}
