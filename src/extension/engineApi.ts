/**
 * The part of the engine the editor actions and views run in-process, bundled on its own as
 * dist/engineApi.js (esbuild.js) and loaded on first use by ./engine.ts: the replica store and the
 * packet reader and writer stay out of dist/extension.js, which VS Code loads at activation.
 */
export { exportSync } from '../engine/sync/export';
export { importSync } from '../engine/sync/import';
export { listReplicas } from '../engine/sync/listing';
export { assessPackets } from '../engine/sync/assess';
