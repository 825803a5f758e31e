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
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require(path.join(__dirname, ENGINE_FILE)) as EngineApi;
  return loaded;
}

const ENGINE_FILE = 'engineApi.js';
