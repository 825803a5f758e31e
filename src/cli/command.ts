import type { OptionSpec, ParsedArgs } from './args';

/** Where a command writes and which host it acts as. The extension supplies its own. */
export interface CommandIO {
  /** MULTISITE_HOME: the host home every engine command acts as. */
  home: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  out(line: string): void;
  err(line: string): void;
}

export interface CommandContext extends CommandIO {
  /** Program name used in messages: "multitool", "shipping_server", ... */
  program: string;
  /** Prints `<program>: Warning: <text>` on stderr. */
  warn(text: string): void;
}

export interface CommandSpec {
  name: string;
  /** One-line synopsis shown on usage errors, e.g. "lspacket [-long | -short] [PKT-OR-DIR...]". */
  usage: string;
  options: readonly OptionSpec[];
  /** Resolves to the exit status (0 when omitted). Throw MultiSiteError for user errors. */
  run(ctx: CommandContext, args: ParsedArgs): Promise<number | void>;
}
