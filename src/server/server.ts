// Entry of dist/server.js: the shipping.conf language server. createConnection picks the
// transport from the command line (--stdio, --node-ipc, --socket=N), so the extension starts it
// over IPC and any other editor or a test can run `node dist/server.js --stdio`.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './shippingConfServer';

const connection = createConnection(ProposedFeatures.all);
// Last line of defence: a bug must be logged, not end the process the editor relies on.
process.on('uncaughtException', (e) => connection.console.error(`Uncaught: ${e.stack ?? e}`));
process.on('unhandledRejection', (e) => connection.console.error(`Unhandled rejection: ${(e as Error)?.stack ?? e}`));
startServer(connection);
