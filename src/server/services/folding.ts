import { FoldingRangeKind, type FoldingRange } from 'vscode-languageserver';
import type { ConfDocument } from '../document';
import { MAX_SYMBOLS } from './symbols';

/**
 * Folding: each paragraph (lines between blank lines) of two or more lines, and each run of two
 * or more comment lines inside a larger paragraph, such as a section's explanatory header.
 */
export function computeFolding(doc: ConfDocument): FoldingRange[] {
  const lines = doc.parsed.lines;
  const commentLines = new Set(doc.parsed.comments.filter((c) => c.token.start === /^\s*/.exec(lines[c.line])?.[0].length).map((c) => c.line));
  const out: FoldingRange[] = [];
  let i = 0;
  while (i < lines.length && out.length < MAX_SYMBOLS) {
    if (lines[i].trim() === '') {
      i++;
      continue;
    }
    const start = i;
    while (i < lines.length && lines[i].trim() !== '') i++;
    const end = i - 1;
    if (end > start) out.push({ startLine: start, endLine: end, kind: commentLines.has(start) && commentLines.has(end) ? FoldingRangeKind.Comment : FoldingRangeKind.Region });
    for (let j = start; j <= end; ) {
      if (!commentLines.has(j)) {
        j++;
        continue;
      }
      const cs = j;
      while (j <= end && commentLines.has(j)) j++;
      if (j - 1 > cs && !(cs === start && j - 1 === end)) out.push({ startLine: cs, endLine: j - 1, kind: FoldingRangeKind.Comment });
    }
  }
  return out;
}
