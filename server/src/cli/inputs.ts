/**
 * Which files a command line names: explicit files as given, directories searched recursively for files of
 * a known format. Symbolic links to directories are never followed (no loops, no escaping the tree); every
 * entry that is not checked is reported with the reason, so nothing is skipped without a word.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Format } from '../formats/format';
import { FORMATS, HEAD_BYTES } from '../formats/registry';
import { resolveFormat } from '../pipeline';
import { errnoText, fileKind, readHead } from '../io/read-file';

export type Input =
  | { kind: 'file'; path: string; format: Format }
  | { kind: 'skipped'; path: string; reason: string }
  | { kind: 'error'; path: string; message: string };

const NOT_SEARCHED = new Set(['node_modules', '.git', '.hg', '.svn']);
const LANGUAGE_HINT = `pass --language ${FORMATS.map((f) => f.id).join('|')}`;

/** Yields inputs one at a time, so a run over many files never holds more than one directory listing per level. */
export function* inputs(args: string[], language?: string): Generator<Input> {
  for (const arg of args) {
    let st: fs.Stats;
    try {
      st = fs.statSync(arg);
    } catch (e) {
      yield { kind: 'error', path: arg, message: `cannot read: ${errnoText(e)}` };
      continue;
    }
    if (st.isDirectory()) {
      yield* walk(arg, language);
      continue;
    }
    // An explicit non-regular file is still an input: reading it reports what it is, without opening it blocking.
    const format = resolveFormat(arg, language, head(arg));
    yield format ? { kind: 'file', path: arg, format } : { kind: 'error', path: arg, message: `unknown file type: ${LANGUAGE_HINT}` };
  }
}

function* walk(dir: string, language: string | undefined): Generator<Input> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    yield { kind: 'error', path: dir, message: `cannot read directory: ${errnoText(e)}` };
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (NOT_SEARCHED.has(e.name)) yield { kind: 'skipped', path: p, reason: 'directory not searched' };
      else yield* walk(p, language);
      continue;
    }
    let target: fs.Stats | fs.Dirent = e;
    if (e.isSymbolicLink()) {
      try {
        target = fs.statSync(p);
      } catch (err) {
        yield { kind: 'error', path: p, message: `dangling symbolic link (${errnoText(err)})` };
        continue;
      }
      if (target.isDirectory()) {
        yield { kind: 'skipped', path: p, reason: 'symbolic link to a directory, not followed' };
        continue;
      }
    }
    if (!target.isFile()) {
      yield { kind: 'skipped', path: p, reason: `${fileKind(target)}, not read` };
      continue;
    }
    const sniff = head(p);
    const format = resolveFormat(p, undefined, sniff) && resolveFormat(p, language, sniff);
    yield format
      ? { kind: 'file', path: p, format }
      : { kind: 'skipped', path: p, reason: `not a known file type (to check it, name it or ${LANGUAGE_HINT})` };
  }
}

/**
 * The start of a file, read only if a format asks (CloudFormation and ARM templates are recognised by content), and
 * at most once however often it is asked.
 */
function head(p: string): () => string | undefined {
  let text: string | undefined | null = null;
  return () => (text === null ? (text = readHead(p, HEAD_BYTES)) : text);
}
