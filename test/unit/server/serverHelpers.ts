import { parseShippingConf, type KnownHost } from '../../../src/engine/conf';
import type { ConfDocument } from '../../../src/server/document';
import type { CompletionContext } from '../../../src/server/services/completion';
import { DEFAULT_SETTINGS } from '../../../src/server/settings';

export const URI = 'file:///hosts/boston/config/shipping.conf';

export function doc(text: string, version = 1): ConfDocument {
  return { uri: URI, version, parsed: parseShippingConf(text) };
}

/** A service context without the disk, unless a test supplies one. */
export function ctx(over: Partial<CompletionContext> = {}): CompletionContext {
  return {
    settings: { ...DEFAULT_SETTINGS },
    hosts: [] as KnownHost[],
    ruleHref: (code) => `https://rules.test/${code}`,
    ...over,
  };
}

/** Position of the `n`th (0-based) occurrence of `needle` in the text, plus `offset` characters. */
export function at(text: string, needle: string, offset = 0, n = 0): { line: number; character: number } {
  let idx = -1;
  for (let i = 0; i <= n; i++) idx = text.indexOf(needle, idx + 1);
  if (idx < 0) throw new Error(`${needle} not in text`);
  const before = text.slice(0, idx + offset);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
}
