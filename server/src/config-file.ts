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

/**
 * The `hosts` key of `.portcullis.json` (in `dir` or a parent): host name → folders, relative to the config
 * file, whose trees hold one host's files (see workspace/hosts.ts). Absent → the default grouping.
 */
export function loadHostLayout(dir: string): { hosts?: Record<string, string[]>; error?: string } {
  const loaded = loadConfigFile(dir);
  if (!loaded.path || loaded.error) return {};
  let raw: unknown;
  try {
    raw = (JSON.parse(fs.readFileSync(loaded.path, 'utf8')) as Record<string, unknown>).hosts;
  } catch {
    return {};
  }
  if (raw === undefined) return {};
  const base = path.dirname(loaded.path);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { error: `${loaded.path}: "hosts" must map host names to lists of folders` };
  const hosts: Record<string, string[]> = {};
  for (const [name, dirs] of Object.entries(raw as Record<string, unknown>)) {
    const list = typeof dirs === 'string' ? [dirs] : dirs;
    if (!Array.isArray(list) || !list.every((d) => typeof d === 'string')) return { error: `${loaded.path}: "hosts"."${name}" must be a folder or a list of folders` };
    hosts[name] = list.map((d) => path.resolve(base, d));
  }
  return { hosts };
}
