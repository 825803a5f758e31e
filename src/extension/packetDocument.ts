import * as vscode from 'vscode';
import { isMultiSiteError } from '../engine/errors';
import { localView } from '../engine/host/localView';
import { readPacketHeaderSync } from '../engine/packet/header';
import { formatPacket } from '../engine/packet/lspacket';
import type { PacketHeader } from '../engine/packet/types';

export const PACKET_SCHEME = 'multisite-packet';

/** The read-only document of a packet: `multisite-packet:<file>?<host home>`. */
export function packetUri(file: string, home: string | undefined): vscode.Uri {
  return vscode.Uri.from({ scheme: PACKET_SCHEME, path: file, query: home ? new URLSearchParams({ home }).toString() : '' });
}

/**
 * What `multitool lspacket -long FILE` prints, run as the host `home`: its header in the
 * original's words, targets marked local or not, the local tag filled in for a target on this
 * host. A packet whose header cannot be read shows the one error line lspacket prints for it.
 */
export function packetListing(file: string, home: string | undefined): string {
  let header: PacketHeader;
  try {
    header = readPacketHeaderSync(file);
  } catch (e) {
    if (isMultiSiteError(e)) return `multitool: Error: ${e.message}\n`;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return `multitool: Error: Unable to access "${file}": No such file or directory.\n`;
    throw e;
  }
  const lines = formatPacket(file, header, { format: 'long', ...(home === undefined ? {} : localView(home)) });
  return `${lines.join('\n')}\n`;
}

/** Serves `multisite-packet:` documents (virtual, hence read-only), read afresh when opened. */
export class PacketDocumentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    const home = new URLSearchParams(uri.query).get('home') ?? undefined;
    return packetListing(uri.path, home);
  }

  /** Re-reads every open packet document (after an import moved or quarantined packets). */
  refresh(): void {
    for (const d of vscode.workspace.textDocuments) if (d.uri.scheme === PACKET_SCHEME) this.changed.fire(d.uri);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
