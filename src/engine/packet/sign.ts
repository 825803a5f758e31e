import * as crypto from 'crypto';
import { PacketSignatureError, UnknownSenderError } from './errors';
import { SIGNATURE_BYTES } from './format';
import type { HostKeyLookup, PacketHeader } from './types';

/**
 * Ed25519 over the prefix and header bytes. The header holds the body's sha256 and length, so
 * this one signature vouches for the whole file without signing the body a second time.
 */
export function signHeader(signed: Buffer, privateKey: crypto.KeyObject): Buffer {
  const sig = crypto.sign(null, signed, privateKey);
  if (sig.length !== SIGNATURE_BYTES) throw new Error(`expected a ${SIGNATURE_BYTES}-byte Ed25519 signature, got ${sig.length} bytes: is the host key Ed25519?`);
  return sig;
}

/** Throws UnknownSenderError or PacketSignatureError; returns quietly when the signature holds. */
export function checkSignature(file: string, header: PacketHeader, signed: Buffer, signature: Buffer, keyLookup: HostKeyLookup): void {
  const key = keyLookup(header.sendingHost);
  if (!key) throw new UnknownSenderError(file, header.sendingHost);
  let ok: boolean;
  try {
    ok = crypto.verify(null, signed, key, signature);
  } catch {
    // A key of the wrong type for Ed25519 verifies nothing.
    ok = false;
  }
  if (!ok) throw new PacketSignatureError(file, header.sendingHost);
}
