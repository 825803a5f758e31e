import * as fs from 'fs';
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'crypto';
import { writeFileAtomic } from '../store/durable';
import { PeerError } from './errors';
import type { HostLayout } from './layout';

/** This host's Ed25519 identity: packets it writes are signed with the private key. */
export function generateHostKeys(l: HostLayout): string {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  fs.mkdirSync(l.keys, { recursive: true, mode: 0o700 });
  writeFileAtomic(l.privateKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), 0o600);
  writeFileAtomic(l.publicKey, publicKey.export({ type: 'spki', format: 'pem' }));
  return publicKeyText(publicKey);
}

export function loadPrivateKey(l: HostLayout): KeyObject {
  return createPrivateKey(fs.readFileSync(l.privateKey));
}

/** One-line form kept in site.ini: base64 of the SPKI DER. */
export function publicKeyText(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'der' }).toString('base64');
}

export function publicKeyFromText(text: string): KeyObject {
  return createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
}

/** Reads a peer's public key file: PEM (as mkhost writes it) or the one-line base64 form. */
export function readPublicKeyFile(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new PeerError(`Cannot read public key file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
  // createPublicKey would derive the public half of a private key without a word: refused, so a
  // private key copied off its host is noticed rather than quietly put to use.
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) {
    throw new PeerError(`File ${file} holds a private key; give the peer's public key (config/keys/host_ed25519.pub.pem in its home). A private key should never leave its host.`);
  }
  try {
    const key = text.includes('-----BEGIN') ? createPublicKey(text) : publicKeyFromText(text.trim());
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a ${key.asymmetricKeyType} key`);
    return publicKeyText(key);
  } catch (e) {
    throw new PeerError(`File ${file} does not hold an Ed25519 public key (${(e as Error).message}).`);
  }
}
