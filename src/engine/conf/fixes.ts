import type { ConfDiagnostic, ConfEdit, ConfPosition } from './validator';
import { splitLines } from './parser';

function before(a: ConfPosition, b: ConfPosition): boolean {
  return a.line < b.line || (a.line === b.line && a.character <= b.character);
}

function sameRange(a: ConfEdit['range'], b: ConfEdit['range']): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/**
 * The preferred text fixes of all diagnostics that do not overlap one another (first wins, in
 * line order), so applying them at once is safe. Folder creation is never part of fix-all:
 * it changes the disk, not the file, and should be asked for one bay at a time.
 */
export function fixAllEdits(diags: readonly ConfDiagnostic[]): { edits: ConfEdit[]; count: number } {
  const chosen: ConfEdit[] = [];
  let count = 0;
  for (const d of diags) {
    const fix = d.fixes?.find((f) => f.preferred && f.edits.length > 0 && !f.mkdirs?.length);
    if (!fix) continue;
    const overlaps = fix.edits.some((e) => chosen.some((c) => sameRange(e.range, c.range) || !(before(e.range.end, c.range.start) || before(c.range.end, e.range.start))));
    if (overlaps) continue;
    chosen.push(...fix.edits);
    count++;
  }
  chosen.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return { edits: chosen, count };
}

/** Applies non-overlapping edits to text (positions as in the text's own lines). */
export function applyEdits(text: string, edits: readonly ConfEdit[]): string {
  const lines = splitLines(text);
  const starts: number[] = [];
  const eol = /\r\n|\r|\n/g;
  starts.push(0);
  for (let m = eol.exec(text); m; m = eol.exec(text)) starts.push(m.index + m[0].length);
  const at = (p: ConfPosition): number => {
    if (p.line >= lines.length) return text.length;
    return starts[p.line] + Math.min(p.character, lines[p.line].length);
  };
  // Fixes insert "\n"; keep a CRLF (or CR) file's own line ends, as an editor would.
  const eolMatch = /\r\n|\r|\n/.exec(text);
  const fileEol = eolMatch ? eolMatch[0] : '\n';
  const sorted = [...edits].sort((a, b) => at(b.range.start) - at(a.range.start));
  let out = text;
  for (const e of sorted) {
    const newText = fileEol === '\n' ? e.newText : e.newText.replace(/\r\n|\r|\n/g, fileEol);
    out = out.slice(0, at(e.range.start)) + newText + out.slice(at(e.range.end));
  }
  return out;
}
