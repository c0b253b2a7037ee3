/**
 * Parsed manifests by path, kept for the life of the process (a CLI run, a language server session): every
 * manifest of a folder reads the folder's other manifests, so without this a folder of n manifests is parsed
 * n² times. An entry serves only the exact text it was parsed from, so a file changed on disk or edited in the
 * editor is parsed again; each use gets its own alias budget (`reread`), so results are those of a fresh parse.
 * Bounded by the characters of the texts kept; the least recently used entries go first.
 */
import { readYaml, reread, type YamlFile } from '../yaml/document';

/** About twice a folder's reading budget (parse.ts MAX_FOLDER_BYTES), so one folder's files stay cached while its files are checked. */
const MAX_CACHED_CHARS = 8 * 1024 * 1024;

const entries = new Map<string, { text: string; file: YamlFile }>();
let cachedChars = 0;
let parses = 0;

/** The manifest at `key` (a path) read from `text`; parsed only when the text is not the one last parsed for that key. */
export function parsedManifest(key: string | undefined, text: string): YamlFile {
  if (key === undefined) return readYaml(text, 'Kubernetes manifest');
  const hit = entries.get(key);
  if (hit) {
    entries.delete(key);
    if (hit.text === text) {
      entries.set(key, hit);
      return reread(hit.file);
    }
    cachedChars -= hit.text.length;
  }
  parses++;
  const file = readYaml(text, 'Kubernetes manifest');
  if (text.length <= MAX_CACHED_CHARS / 2) {
    entries.set(key, { text, file: reread(file) });
    cachedChars += text.length;
    for (const [k, e] of entries) {
      if (cachedChars <= MAX_CACHED_CHARS) break;
      entries.delete(k);
      cachedChars -= e.text.length;
    }
  }
  return file;
}

/** For tests and benchmarks: manifests kept, the characters of their texts, and the parses since the process started. */
export function manifestCacheStats(): { entries: number; chars: number; parses: number; maxChars: number } {
  return { entries: entries.size, chars: cachedChars, parses, maxChars: MAX_CACHED_CHARS };
}
