import * as fs from 'fs';
import * as path from 'path';

export type EngineApi = typeof import('./engineApi');

let loaded: EngineApi | undefined;

/**
 * The in-process engine API (./engineApi.ts), loaded on first use: from dist/engine.js next to
 * the bundled extension, or from the compiled module beside this one when running unbundled.
 * The path is computed so that esbuild does not pull the engine into dist/extension.js
 * (VS Code loads extensions as CommonJS, so esbuild's code splitting, which needs ESM, is no
 * option).
 */
export function engine(): EngineApi {
  if (!loaded) {
    const bundled = path.join(__dirname, 'engine.js');
    const file = fs.existsSync(bundled) ? bundled : path.join(__dirname, 'engineApi');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(file) as EngineApi;
  }
  return loaded;
}
