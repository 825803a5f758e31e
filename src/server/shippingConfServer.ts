import { CodeActionKind, DidChangeConfigurationNotification, TextDocumentSyncKind, TextDocuments, type Connection, type InitializeResult } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { registerLanguageHandlers } from './handlers/languageHandlers';
import { Validator } from './handlers/validationHandlers';
import { CREATE_FOLDERS_COMMAND, FIX_ALL_KIND } from './services/codeActions';
import { LEGEND } from './services/semanticTokens';
import { ServerState } from './state';

/** What a client may pass in initializationOptions (all optional). */
export interface InitializationOptions {
  /** Client command that opens a rule page: codeDescription links become command URIs. */
  ruleDocsCommand?: string;
  /** Else a base URI for rule pages; else file: URIs to docs/rules next to the server bundle. */
  ruleDocsBaseUri?: string;
  /** Settings, for clients without workspace/configuration: { multisite: { shippingConf, hosts } }. */
  settings?: unknown;
  /** Debounce between the last edit and validation, in ms (default 200). */
  validationDelay?: number;
}

/** Runs the shipping.conf language server on a connection (stdio, IPC or in-process streams). */
export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const state = new ServerState(connection, documents);
  const validator = new Validator(state);

  connection.onInitialize((params): InitializeResult => {
    const caps = params.capabilities;
    const init = (params.initializationOptions ?? {}) as InitializationOptions;
    state.client = {
      configuration: caps.workspace?.configuration === true,
      snippets: caps.textDocument?.completion?.completionItem?.snippetSupport === true,
      ruleDocsCommand: typeof init.ruleDocsCommand === 'string' ? init.ruleDocsCommand : undefined,
      ruleDocsBaseUri: typeof init.ruleDocsBaseUri === 'string' ? init.ruleDocsBaseUri : undefined,
      initialSettings: init.settings,
      validationDelay: typeof init.validationDelay === 'number' && init.validationDelay >= 0 ? init.validationDelay : 200,
    };
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        completionProvider: { triggerCharacters: [' ', '/', '-', '#'], resolveProvider: false },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        semanticTokensProvider: { legend: LEGEND, full: true, range: false },
        documentFormattingProvider: true,
        documentRangeFormattingProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentLinkProvider: { resolveProvider: false },
        documentHighlightProvider: true,
        inlayHintProvider: true,
        executeCommandProvider: { commands: [CREATE_FOLDERS_COMMAND] },
      },
      serverInfo: { name: 'shipping.conf language server', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    if (state.client.configuration) {
      void connection.client.register(DidChangeConfigurationNotification.type, undefined).catch(() => undefined);
    }
  });

  connection.onDidChangeConfiguration((p) => {
    state.configurationChanged(p.settings);
    validator.validateAll();
  });

  // didOpen also fires didChangeContent; validate an opened file at once, edits after a pause.
  const justOpened = new Set<string>();
  documents.onDidOpen((e) => {
    justOpened.add(e.document.uri);
    validator.schedule(e.document.uri, 0);
  });
  documents.onDidChangeContent((e) => {
    if (justOpened.delete(e.document.uri)) return;
    validator.schedule(e.document.uri);
  });
  // Saving is the moment people expect a fresh look at the disk (bays made in a terminal meanwhile).
  documents.onDidSave(() => validator.validateAll());
  documents.onDidClose((e) => {
    state.forget(e.document.uri);
    validator.clear(e.document.uri);
  });

  registerLanguageHandlers(state, validator);
  documents.listen(connection);
  connection.listen();
}
