/** Reads and analyses every recognised file under a folder, then combines them (index.ts): for the CLI and the server. */
import type { ResolvedSettings } from '../analysis/settings';
import { analyseText, resolveFormat } from '../pipeline';
import { findFiles } from './files';
import type { HostLayout } from './hosts';
import { combine, type Workspace, type WorkspaceFile } from './index';

export interface TreeOptions {
  /** The file's text (an editor buffer or the disk); throws when it cannot be read. */
  read(path: string): string;
  settingsFor(path: string): ResolvedSettings;
  layout: HostLayout;
  defaults: ResolvedSettings;
}

export interface TreeWorkspace extends Workspace {
  /** Set when the tree held more files than are analysed. */
  truncated: boolean;
}

export function analyseTree(root: string, opts: TreeOptions): TreeWorkspace {
  const found = findFiles(root, (p) => !!resolveFormat(p));
  const files: WorkspaceFile[] = found.errors.map((e) => ({ path: e.path, error: e.message }));
  for (const p of found.paths) files.push(analyseFile(p, opts));
  return { ...combine(files, opts.layout, opts.defaults), truncated: found.truncated };
}

export function analyseFile(p: string, opts: Pick<TreeOptions, 'read' | 'settingsFor'>): WorkspaceFile {
  const format = resolveFormat(p)!;
  let text: string;
  try {
    text = opts.read(p);
  } catch (e) {
    return { path: p, error: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  const settings = opts.settingsFor(p);
  try {
    return { path: p, analysis: analyseText(text, format, p, settings, (s) => tryRead(opts.read, s)), settings };
  } catch (e) {
    return { path: p, error: `analysis failed: ${(e as Error).message}` };
  }
}

function tryRead(read: (p: string) => string, p: string): string | undefined {
  try {
    return read(p);
  } catch {
    return undefined;
  }
}
