/**
 * `portcullis.workspaceExposure`: what every recognised file under the workspace folder exposes to whom, as
 * the tree the VS Code Workspace Exposure view shows (features/workspace-exposure.ts), and the findings that
 * combine files (PC301), which the server also adds to the diagnostics of the file they are reported on.
 * Independent of the LSP wiring so any client gets the same answer.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { WorkspaceRole } from './analysis/docker-bypass';
import type { ResolvedSettings } from './analysis/settings';
import { loadHostLayout } from './config-file';
import { exposureTree, type WorkspaceExposureResult } from './features/workspace-exposure';
import type { Finding } from './model/finding';
import type { FoundFiles } from './workspace/files';
import { analyseTree, listTree, type TreeOptions, type TreeWorkspace } from './workspace/load';

/** How long a folder listing is reused while the user edits a file. */
const LISTING_TTL_MS = 5000;

export const WORKSPACE_EXPOSURE_COMMAND = 'portcullis.workspaceExposure';


/** Keeps the per-file analyses between calls, so a refresh re-analyses only files whose text changed. */
export class WorkspaceIndex {
  private readonly cache: NonNullable<TreeOptions['cache']> = new Map();
  private readonly disk = new Map<string, { mtimeMs: number; size: number; text: string }>();
  private listing?: { root: string; at: number; found: FoundFiles };
  private last?: { root: string; ws: TreeWorkspace; layoutError?: string };

  /**
   * Analyses the tree under `root`, reading open editor buffers through `readOpen` before the disk. While a
   * user types, the folder listing is reused for a few seconds (`fresh` forces a new one: saves, the command).
   */
  analyse(root: string, settings: ResolvedSettings, readOpen: (p: string) => string | undefined, fresh = true): TreeWorkspace {
    const layout = loadHostLayout(root);
    if (fresh || this.listing?.root !== root || Date.now() - this.listing.at > LISTING_TTL_MS)
      this.listing = { root, at: Date.now(), found: listTree(root) };
    const read = (p: string): string => readOpen(p) ?? this.readDisk(p);
    const ws = analyseTree(
      root,
      { read, settingsFor: () => settings, layout: { hosts: layout.hosts }, defaults: settings, cache: this.cache },
      this.listing.found,
    );
    const listed = new Set(this.listing.found.paths);
    for (const p of this.disk.keys()) if (!listed.has(p)) this.disk.delete(p);
    this.last = { root, ws, layoutError: layout.error };
    return ws;
  }

  /** A file's text from the disk, read again only when its size or modification time changed. */
  private readDisk(p: string): string {
    const st = fs.statSync(p);
    const hit = this.disk.get(p);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.text;
    const text = fs.readFileSync(p, 'utf8');
    this.disk.set(p, { mtimeMs: st.mtimeMs, size: st.size, text });
    return text;
  }

  /**
   * Findings that combine `file` with other files of its host. Only files that take part (a host firewall, a
   * file whose ports Docker publishes) pay for the workspace analysis; others get none.
   */
  combinedFindings(
    root: string,
    file: string,
    role: WorkspaceRole,
    settings: ResolvedSettings,
    readOpen: (p: string) => string | undefined,
  ): Finding[] {
    const rel = path.relative(root, file);
    if (!rel || rel.startsWith('..') || path.isAbsolute(rel) || !(role.publisher || role.hostFirewall)) return [];
    // A file the reused listing does not hold yet (just created) needs a fresh one.
    this.analyse(root, settings, readOpen, this.listing?.root !== root || !this.listing.found.paths.includes(file));
    return this.last?.ws.findings.get(file) ?? [];
  }

  /** The command's answer for the latest analysis. */
  result(settings: ResolvedSettings): WorkspaceExposureResult | null {
    if (!this.last) return null;
    const tree = exposureTree(this.last.ws, settings);
    const uri = (p: string) => pathToFileURL(p).href;
    return {
      ...tree,
      root: uri(this.last.root),
      files: tree.files.map((f) => ({ ...f, uri: uri(f.path) })),
      findings: tree.findings.map((f) => ({ ...f, uri: uri(f.path) })),
      ...(this.last.layoutError ? { error: this.last.layoutError } : {}),
    };
  }
}

/** The folder a command argument names (`{root}` as a URI or path), else the workspace folder. */
export function rootOf(arg: unknown, fallback: string | undefined): string | undefined {
  const a = (Array.isArray(arg) ? arg[0] : arg) as { root?: string } | string | undefined;
  const given = typeof a === 'string' ? a : a?.root;
  if (!given) return fallback;
  return path.resolve(given.startsWith('file:') ? fileURLToPath(given) : given);
}
