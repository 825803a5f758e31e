import type { Range, TextEdit } from 'vscode-languageserver';
import { entryAtLine, type ConfEntry } from '../../engine/conf';
import type { ConfDocument } from '../document';

/**
 * Formatting that only ever changes white space: entries start at column 0 with single
 * spaces, except that within a block (consecutive entry lines, ended by a blank or comment
 * line) the keyword and first-argument columns are aligned. Comment lines keep their text,
 * trailing comments stay on their line two spaces after the entry, trailing blanks go, and
 * runs of blank lines shrink to one. Unknown lines are left exactly as they are.
 */
export function formatLines(doc: ConfDocument, range?: Range): TextEdit[] {
  const { lines } = doc.parsed;
  const edits: TextEdit[] = [];
  const first = range ? range.start.line : 0;
  const last = range ? Math.min(range.end.line, lines.length - 1) : lines.length - 1;
  // Column widths per block, computed over the whole block even for a range request.
  let blockStart = first;
  while (blockStart > 0 && isAligned(entryAtLine(doc.parsed, blockStart - 1))) blockStart--;
  let i = blockStart;
  let blankRun = 0;
  while (i <= last) {
    const e = entryAtLine(doc.parsed, i);
    if (!isAligned(e)) {
      const text = lines[i];
      let wanted = text;
      if (text.trim() === '') {
        blankRun++;
        // Drop the second and later blank lines of a run (delete the line, not just its spaces).
        if (blankRun > 1 && i >= first && i + 1 < lines.length) {
          edits.push({ range: { start: { line: i, character: 0 }, end: { line: i + 1, character: 0 } }, newText: '' });
          i++;
          continue;
        }
        wanted = '';
      } else {
        blankRun = 0;
        wanted = e ? text.replace(/[ \t]+$/, '') : text.replace(/^[ \t]+(?=#)/, '').replace(/[ \t]+$/, '');
      }
      if (i >= first && wanted !== text) edits.push(lineEdit(i, text, wanted));
      i++;
      continue;
    }
    blankRun = 0;
    const block: ConfEntry[] = [];
    let j = i;
    for (let e2 = entryAtLine(doc.parsed, j); isAligned(e2); e2 = entryAtLine(doc.parsed, ++j)) block.push(e2 as ConfEntry);
    const kw = block.reduce((m, b) => Math.max(m, b.keyword.text.length), 0);
    const aligned = block.filter((b) => b.args.length > 1);
    const a0 = aligned.reduce((m, b) => Math.max(m, b.args[0].text.length), 0);
    for (const b of block) {
      if (b.line < first || b.line > last) continue;
      const words = [b.keyword.text, ...b.args.map((a) => a.text)];
      let out = words.length > 1 ? b.keyword.text.padEnd(kw) : b.keyword.text;
      if (b.args.length > 0) out += ' ' + (b.args.length > 1 ? b.args[0].text.padEnd(a0) : b.args[0].text);
      if (b.args.length > 1) out += ' ' + b.args.slice(1).map((a) => a.text).join(' ');
      if (b.trailingComment) out += '  ' + b.trailingComment.text.replace(/[ \t]+$/, '');
      if (out !== lines[b.line]) edits.push(lineEdit(b.line, lines[b.line], out));
    }
    i = j;
  }
  return edits;
}

function isAligned(e: ConfEntry | undefined): e is ConfEntry {
  return e !== undefined && e.spec !== undefined;
}

function lineEdit(line: number, text: string, wanted: string): TextEdit {
  return { range: { start: { line, character: 0 }, end: { line, character: text.length } }, newText: wanted };
}
