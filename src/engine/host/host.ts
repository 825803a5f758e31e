import * as fs from 'fs';
import * as path from 'path';
import { ensureDirDurable, nearestExisting, writeFileAtomic } from '../store/durable';
import { describeHolder, readLockHolder, takeLockNow, takeLockWaiting } from '../store/lock';
import { HostExistsError, HostNotConfiguredError, PeerError } from './errors';
import { generateHostKeys, readPublicKeyFile } from './keys';
import { hostLayout, type HostLayout } from './layout';
import { DEFAULT_PORT, readSite, writeSite, type PeerInfo, type SiteConfig } from './site';
import { shippingConfTemplate } from './shippingTemplate';
import { notifyProgramText } from './notifyProgram';

/** A host home opened for a command: its layout and site.ini. */
export interface Host {
  layout: HostLayout;
  site: SiteConfig;
  name: string;
}

export function openHost(home: string): Host {
  const layout = hostLayout(home);
  if (!fs.existsSync(layout.home)) throw new HostNotConfiguredError(layout.home, 'the directory does not exist');
  const site = readSite(layout);
  return { layout, site, name: site.host.name };
}

const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,252}$/;

export function hostNameProblem(name: string): string | undefined {
  return HOST_NAME.test(name) ? undefined : 'use letters, digits, ".", "_" and "-", starting with a letter or digit';
}

// Host names, IPv4 and IPv6 addresses (with brackets or a zone): nothing a transport could not dial.
const ADDRESS = /^[A-Za-z0-9._:[\]%-]{1,255}$/;

function checkAddress(address: string): void {
  if (!ADDRESS.test(address)) throw new PeerError(`Invalid address "${address}": use a host name or an IP address.`);
}

export interface MkhostOptions {
  name: string;
  address?: string;
  port?: number;
}

/**
 * Makes a directory a host home: the layout of DESIGN "The host home", a key pair, site.ini,
 * the shipping.conf template naming this home's absolute paths, and the default bays.
 */
export function mkhost(home: string, opts: MkhostOptions): Host {
  const problem = hostNameProblem(opts.name);
  if (problem) throw new PeerError(`Invalid host name "${opts.name}": ${problem}.`);
  const port = opts.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new PeerError(`Invalid port ${opts.port}: use 1 through 65535.`);
  if (opts.address !== undefined) checkAddress(opts.address);
  const l = hostLayout(home);
  const existing = nearestExisting(l.home);
  if (!fs.statSync(existing).isDirectory()) throw new PeerError(`Cannot make ${l.home} a host home: ${existing} is not a directory.`);
  if (fs.existsSync(l.siteIni)) throw new HostExistsError(l.home, readSite(l).host.name);
  ensureDirDurable(l.config);
  // Two mkhost at once in one home each wrote a key pair and a site.ini, the last of each
  // winning: both said "Created", and the private key could belong to the other's site.ini, so
  // every packet this host signed would be refused by its peers.
  const lockFile = path.join(l.config, 'mkhost.lock');
  const lock = takeLockNow(lockFile, 'mkhost');
  if (!lock) throw new PeerError(`Cannot make ${l.home} a host home: ${describeHolder(readLockHolder(lockFile))} is making it one now.`);
  try {
    // Under the lock: the other command may have finished between the check above and now.
    if (fs.existsSync(l.siteIni)) throw new HostExistsError(l.home, readSite(l).host.name);
    return makeHostFiles(l, opts, port);
  } finally {
    lock.release();
  }
}

function makeHostFiles(l: HostLayout, opts: MkhostOptions, port: number): Host {
  for (const d of [
    l.config,
    path.join(l.shipBay, 'incoming'),
    path.join(l.shipBay, 'outgoing'),
    path.join(l.returnBay, 'incoming'),
    path.join(l.returnBay, 'outgoing'),
    l.downhost,
    l.vobs,
    l.log,
    path.dirname(l.notifyProgram),
  ]) {
    ensureDirDurable(d);
  }
  if (!fs.existsSync(l.notifyProgram)) writeFileAtomic(l.notifyProgram, notifyProgramText(path.join(l.log, 'notify.log')), 0o755);
  const key = generateHostKeys(l);
  if (!fs.existsSync(l.shippingConf)) writeFileAtomic(l.shippingConf, shippingConfTemplate(l));
  // site.ini last: its presence is what makes the directory a host.
  const site: SiteConfig = { host: { name: opts.name, address: opts.address ?? '127.0.0.1', port, key }, peers: {} };
  writeSite(l, site);
  return { layout: l, site, name: opts.name };
}

export interface AddPeerOptions {
  name: string;
  address: string;
  port: number;
  /** A public key file (PEM or base64 SPKI). */
  keyFile?: string;
  /** Another host home on this machine: its key is read from there and its path recorded. */
  peerHome?: string;
}

export interface AddPeerResult {
  peer: PeerInfo;
  replaced: boolean;
}

export function addPeer(home: string, opts: AddPeerOptions): AddPeerResult {
  // Opened first so a home that is no host says so; opened again under the lock for the site.ini
  // to change. site.ini is read, changed and written whole: two addpeer at once (a setup script's
  // loop run in the background) each wrote the peers it had read, and one peer was lost.
  const l = openHost(home).layout;
  const lockFile = path.join(l.config, 'site.lock');
  const lock = takeLockWaiting(lockFile, 'addpeer', 10_000);
  if (!lock) throw new PeerError(`config/site.ini of ${l.home} is being changed by ${describeHolder(readLockHolder(lockFile))}; try again when it has finished.`);
  try {
    return addPeerLocked(openHost(home), opts);
  } finally {
    lock.release();
  }
}

function addPeerLocked(host: Host, opts: AddPeerOptions): AddPeerResult {
  const problem = hostNameProblem(opts.name);
  if (problem) throw new PeerError(`Invalid host name "${opts.name}": ${problem}.`);
  if (opts.name === host.name) throw new PeerError(`Host "${opts.name}" is this host; a host is not its own peer.`);
  if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) throw new PeerError(`Invalid port ${opts.port}: use 1 through 65535.`);
  checkAddress(opts.address);
  let key: string;
  let peerHome: string | undefined;
  if (opts.peerHome) {
    const pl = hostLayout(opts.peerHome);
    const ps = readSite(pl);
    if (ps.host.name !== opts.name) throw new PeerError(`The host home ${pl.home} belongs to host "${ps.host.name}", not "${opts.name}".`);
    key = readPublicKeyFile(pl.publicKey);
    peerHome = pl.home;
  } else if (opts.keyFile) {
    key = readPublicKeyFile(opts.keyFile);
  } else {
    throw new PeerError(`A public key is needed for peer "${opts.name}": give -key FILE or -home DIR.`);
  }
  // Packets signed by this host would then pass as the peer's (a home copied rather than made with mkhost, or the wrong file).
  if (key === host.site.host.key) {
    throw new PeerError(`${peerHome ? `The host home ${peerHome} has` : `File ${opts.keyFile} holds`} the public key of this host ("${host.name}"), not a key of its own for "${opts.name}"; each host needs its own key pair, made by "multitool mkhost".`);
  }
  const replaced = Object.prototype.hasOwnProperty.call(host.site.peers, opts.name);
  const peer: PeerInfo = { name: opts.name, address: opts.address, port: opts.port, key, ...(peerHome ? { home: peerHome } : {}) };
  host.site.peers[opts.name] = peer;
  writeSite(host.layout, host.site);
  return { peer, replaced };
}
