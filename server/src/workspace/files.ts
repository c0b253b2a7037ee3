/** Finds the files of a directory tree that some format recognises: bounded in count and size, regular files only. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** More files than this in one tree are not analysed (the result says so). */
export const MAX_FILES = 5000;
/** Larger files are reported, not read. */
export const MAX_BYTES = 16 * 1024 * 1024;
const SKIP = new Set(['node_modules', '.git', '.hg', '.svn']);

export interface FoundFiles {
  paths: string[];
  /** Paths that could not be listed or are too large, with why. */
  errors: { path: string; message: string }[];
  truncated: boolean;
}

export function findFiles(root: string, recognised: (p: string) => boolean, limit = MAX_FILES): FoundFiles {
  const found: FoundFiles = { paths: [], errors: [], truncated: false };
  const walk = (dir: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      found.errors.push({ path: dir, message: `cannot list: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (found.paths.length >= limit) {
        found.truncated = true;
        return;
      }
      const p = path.join(dir, e.name);
      // Symbolic links are not followed: a link loop or a link out of the tree would make the walk unbounded.
      if (e.isDirectory()) {
        if (!SKIP.has(e.name) && depth < 32) walk(p, depth + 1);
      } else if (e.isFile() && recognised(p)) {
        const size = fs.statSync(p, { throwIfNoEntry: false })?.size ?? 0;
        if (size > MAX_BYTES) found.errors.push({ path: p, message: `not read: ${size} bytes is over the ${MAX_BYTES}-byte limit` });
        else found.paths.push(p);
      }
    }
  };
  walk(root, 0);
  return found;
}
