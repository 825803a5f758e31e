import * as path from 'path';

export type EngineApi = typeof import('./engineApi');

let loaded: EngineApi | undefined;

/**
 * The in-process engine API (./engineApi.ts), loaded on first use: dist/engineApi.js beside the
 * bundled extension, or the compiled engineApi.js beside this module when running unbundled
 * (the same name in both layouts). The path is computed so that esbuild does not pull the
 * engine into dist/extension.js (VS Code loads extensions as CommonJS, so esbuild's code
 * splitting, which needs ESM, is no option).
 */
export function engine(): EngineApi {
  loaded ??= require(path.join(__dirname, 'engineApi.js')) as EngineApi;
  return loaded;
}
