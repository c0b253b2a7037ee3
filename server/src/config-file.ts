/** The workspace config file `.portcullis.json`: the same keys as the editor settings, read by the CLI too. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Settings } from './analysis/settings';

export const CONFIG_FILE = '.portcullis.json';

export interface LoadedConfig {
  settings: Partial<Settings>;
  path?: string;
  error?: string;
}

/** Looks for the config file in `dir` and its parents. */
export function loadConfigFile(dir: string): LoadedConfig {
  let d = path.resolve(dir);
  for (let k = 0; k < 64; k++) {
    const p = path.join(d, CONFIG_FILE);
    if (fs.existsSync(p)) {
      try {
        const json = JSON.parse(fs.readFileSync(p, 'utf8')) as Record<string, unknown>;
        // Accept both flat keys and the editor's "portcullis.x" spelling.
        const pick = (k2: string): unknown => json[k2] ?? json[`portcullis.${k2}`];
        return { path: p, settings: { trustedSources: pick('trustedSources') as string[], riskyPorts: pick('riskyPorts') as string[], severity: pick('severity') as Settings['severity'] } };
      } catch (e) {
        return { path: p, settings: {}, error: `${p}: ${(e as Error).message}` };
      }
    }
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  return { settings: {} };
}

/** Drops undefined keys so defaults fill them. */
export function definedOnly(s: Partial<Settings>): Partial<Settings> {
  return Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined && v !== null)) as Partial<Settings>;
}
