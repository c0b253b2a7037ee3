/** Reads and analyses every recognised file under a folder, then combines them (index.ts): for the CLI and the server. */
import type { ResolvedSettings } from '../analysis/settings';
import { HEAD_BYTES } from '../formats/registry';
import { readHead } from '../io/read-file';
import { analyseText, resolveFormat } from '../pipeline';
import { findFiles, type FoundFiles } from './files';
import type { HostLayout } from './hosts';
import { combine, type Workspace, type WorkspaceFile } from './index';

export interface TreeOptions {
  /** The file's text (an editor buffer or the disk); throws when it cannot be read. */
  read(path: string): string;
  settingsFor(path: string): ResolvedSettings;
  layout: HostLayout;
  defaults: ResolvedSettings;
  /** Analyses from an earlier call, reused while a file's text and settings are unchanged (the server keeps one). */
  cache?: Map<string, { text: string; settings: ResolvedSettings; file: WorkspaceFile }>;
}

export interface TreeWorkspace extends Workspace {
  /** Set when the tree held more files than are analysed. */
  truncated: boolean;
}

/** The recognised files under `root` (see files.ts for the bounds). */
export function listTree(root: string): FoundFiles {
  return findFiles(root, (p) => !!resolveFormat(p, undefined, () => readHead(p, HEAD_BYTES)));
}

/** Analyses the files of `found` (default: a fresh listing of `root`) and combines them. */
export function analyseTree(root: string, opts: TreeOptions, found: FoundFiles = listTree(root)): TreeWorkspace {
  const files: WorkspaceFile[] = found.errors.map((e) => ({ path: e.path, error: e.message }));
  for (const p of found.paths) files.push(analyseFile(p, opts));
  if (opts.cache) for (const p of [...opts.cache.keys()]) if (!found.paths.includes(p)) opts.cache.delete(p);
  return { ...combine(files, opts.layout, opts.defaults), truncated: found.truncated };
}

export function analyseFile(p: string, opts: Pick<TreeOptions, 'read' | 'settingsFor' | 'cache'>): WorkspaceFile {
  let text: string;
  try {
    text = opts.read(p);
  } catch (e) {
    return { path: p, error: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  const format = resolveFormat(p, undefined, () => text);
  if (!format) return { path: p, error: 'no longer recognised as a configuration file' };
  const settings = opts.settingsFor(p);
  const hit = opts.cache?.get(p);
  if (hit && hit.text === text && hit.settings === settings) return hit.file;
  let file: WorkspaceFile;
  try {
    file = { path: p, analysis: analyseText(text, format, p, settings, (s) => tryRead(opts.read, s)), settings };
  } catch (e) {
    file = { path: p, error: `analysis failed: ${(e as Error).message}` };
  }
  opts.cache?.set(p, { text, settings, file });
  return file;
}

function tryRead(read: (p: string) => string, p: string): string | undefined {
  try {
    return read(p);
  } catch {
    return undefined;
  }
}
