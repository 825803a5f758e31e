import * as path from 'path';
import { pathToFileURL } from 'url';
import type { DocumentLink } from 'vscode-languageserver';
import { argSpecAt, tokenRange } from '../../engine/conf';
import type { ConfDocument, ServiceContext } from '../document';

/**
 * Links for the absolute paths of bays and programs. A link is offered only when the path can
 * be opened: with file-system checks on, the path must exist (a program opens in an editor, a
 * bay in the operating system's file browser via VS Code); with them off every absolute path is
 * linked, since the editor, not the server, will open it.
 */
export function computeLinks(doc: ConfDocument, ctx: ServiceContext): DocumentLink[] {
  const links: DocumentLink[] = [];
  for (const e of doc.parsed.entries) {
    if (!e.spec) continue;
    e.args.forEach((a, i) => {
      const kind = argSpecAt(e.spec!, i)?.kind;
      if ((kind !== 'bay' && kind !== 'program') || !path.isAbsolute(a.text) || a.text.includes('\0')) return;
      if (ctx.fs && !ctx.fs.stat(a.text)) return;
      links.push({ range: tokenRange(a), target: pathToFileURL(a.text).toString(), tooltip: kind === 'bay' ? 'Open the bay folder' : 'Open the program' });
    });
  }
  return links;
}
