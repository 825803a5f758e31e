import type { CommandSpec } from '../command';
import { lspacket } from './lspacket';
import { addpeer } from './addpeer';
import { cat } from './cat';
import { checkconf } from './checkconf';
import { checkin } from './checkin';
import { chmaster } from './chmaster';
import { digest } from './digest';
import { fsimport } from './fsimport';
import { lsvtree } from './lsvtree';
import { mkbrtype } from './mkbrtype';
import { mkelem } from './mkelem';
import { mkhost } from './mkhost';
import { mklabel } from './mklabel';
import { mklbtype } from './mklbtype';
import { mkvob } from './mkvob';
import { lsvob } from './lsvob';
import { lsreplica } from './lsreplica';
import { lsepoch } from './lsepoch';
import { chepoch } from './chepoch';
import { recoverpacket } from './recoverpacket';
import { restorereplica } from './restorereplica';
import { mkreplica } from './mkreplica';
import { syncreplica } from './syncreplica';

/**
 * The command-line contract of ../../../docs (DESIGN: "Command-line contract"): every program
 * and its subcommands. Each command lives in its own file in this folder and is listed here.
 */
export type Program = CommandSpec | { subcommands: Record<string, CommandSpec> };

const multitool: Record<string, CommandSpec> = {
  lspacket,
  addpeer,
  cat,
  checkconf,
  checkin,
  chmaster,
  digest,
  fsimport,
  lsvtree,
  mkbrtype,
  mkelem,
  mkhost,
  mklabel,
  mklbtype,
  mkvob,
  lsvob,
  lsreplica,
  lsepoch,
  chepoch,
  recoverpacket,
  restorereplica,
  mkreplica,
  syncreplica,
};

export const PROGRAMS: Record<string, Program> = {
  multitool: { subcommands: multitool },
};
