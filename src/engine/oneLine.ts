/**
 * Text shown as one line: control characters (C0 but tab, DEL, C1) as escapes (`\n`, `\x1b`,
 * `\x9b`), so a name quoted in a message or listed cannot add lines that scripts would parse,
 * or drive the terminal. Names in packet headers and bay file names may come from anyone.
 */
export function oneLine(text: string): string {
  return CONTROL.test(text) ? text.replace(CONTROLS, escape) : text;
}

const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

function escape(c: string): string {
  return c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
}
