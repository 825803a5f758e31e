import { InlayHintKind, type InlayHint, type Range } from 'vscode-languageserver';
import { DEFAULT_CLASS, DEFAULT_EXPIRATION_DAYS } from '../../engine/conf';
import type { ConfDocument } from '../document';

const UNIT_KB: Record<string, number> = { k: 1, m: 1024, g: 1024 * 1024 };

/**
 * Inlay hints for values whose meaning is not on the page: a size with a suffix in KB (the
 * unit the limit is stated in), an expiration of 0 ("never"), and the storage class a ROUTE
 * -default stands for. Only within the requested range, so long files cost nothing off screen.
 */
export function computeInlayHints(doc: ConfDocument, range: Range): InlayHint[] {
  const hints: InlayHint[] = [];
  for (const e of doc.parsed.entries) {
    if (e.line < range.start.line) continue;
    if (e.line > range.end.line) break;
    const name = e.spec?.name;
    if (name === 'MAX-DATA-SIZE' && e.args.length === 1) {
      const m = /^(\d{1,9})([kKmMgG])$/.exec(e.args[0].text);
      if (m) {
        const kb = Number(m[1]) * UNIT_KB[m[2].toLowerCase()];
        hints.push({ position: { line: e.line, character: e.args[0].end }, label: `= ${kb.toLocaleString('en-US')} KB`, kind: InlayHintKind.Type, paddingLeft: true });
      }
    } else if (name === 'EXPIRATION' && e.args.length === 2 && /^\d+$/.test(e.args[1].text)) {
      const days = Number(e.args[1].text);
      const label = days === 0 ? 'never expires' : days === 1 ? 'day' : 'days';
      const tooltip = e.args[0].text === DEFAULT_CLASS && days === DEFAULT_EXPIRATION_DAYS ? 'This is also the default.' : undefined;
      hints.push({ position: { line: e.line, character: e.args[1].end }, label, kind: InlayHintKind.Type, paddingLeft: true, ...(tooltip ? { tooltip } : {}) });
    } else if (name === 'DOWNHOST-TIMEOUT' && e.args.length === 1 && /^\d+$/.test(e.args[0].text)) {
      hints.push({ position: { line: e.line, character: e.args[0].end }, label: e.args[0].text === '0' ? 'off' : 'minutes', kind: InlayHintKind.Type, paddingLeft: true });
    }
  }
  return hints;
}
