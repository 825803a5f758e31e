import type { CommandSpec } from '../command';
import { lspacket } from './lspacket';

/**
 * The command-line contract of ../../../docs (DESIGN: "Command-line contract"): every program
 * and its subcommands. Each command lives in its own file in this folder and is listed here.
 */
export type Program = CommandSpec | { subcommands: Record<string, CommandSpec> };

const multitool: Record<string, CommandSpec> = {
  lspacket,
};

export const PROGRAMS: Record<string, Program> = {
  multitool: { subcommands: multitool },
};
