import * as os from 'os';
import * as path from 'path';

/** MULTISITE_HOME, else ~/.multisite: the host every engine command acts as (DESIGN: "The host home"). */
export function defaultHome(env: NodeJS.ProcessEnv): string {
  return env.MULTISITE_HOME || path.join(os.homedir(), '.multisite');
}
