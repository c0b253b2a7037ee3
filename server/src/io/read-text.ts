/**
 * Reading an input file without ever blocking or reading without end: the file is opened non-blocking (a
 * FIFO's open returns at once), fstat decides before any read, and the read stops at the size limit.
 */
import * as fs from 'node:fs';

export const MAX_INPUT_BYTES = 20 * 1024 * 1024;

export class ReadError extends Error {}

const KINDS: [(s: fs.Stats) => boolean, string][] = [
  [(s) => s.isDirectory(), 'a directory'],
  [(s) => s.isFIFO(), 'a FIFO'],
  [(s) => s.isCharacterDevice(), 'a character device'],
  [(s) => s.isBlockDevice(), 'a block device'],
  [(s) => s.isSocket(), 'a socket'],
];

/** What a non-regular file is, for messages. */
export function fileKind(s: fs.Stats | fs.Dirent): string {
  return KINDS.find(([is]) => is(s as fs.Stats))?.[1] ?? 'not a regular file';
}

export function readTextFile(file: string, maxBytes = MAX_INPUT_BYTES): string {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new ReadError(errnoText(e));
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new ReadError(`not a regular file (${fileKind(st)})`);
    if (st.size > maxBytes) throw new ReadError(`${mb(st.size)} is over the input limit of ${mb(maxBytes)}`);
    // Files under /proc report size 0 and may be endless, so the read itself is bounded too.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total));
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > maxBytes) throw new ReadError(`more than ${mb(maxBytes)}, the input limit`);
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (e) {
    throw e instanceof ReadError ? e : new ReadError(errnoText(e));
  } finally {
    fs.closeSync(fd);
  }
}

/** The first `bytes` of a regular file (for formats recognised by content), or undefined. Never blocks. */
export function readHead(file: string, bytes: number): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch {
    return undefined;
  }
  try {
    if (!fs.fstatSync(fd).isFile()) return undefined;
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, fs.readSync(fd, buf, 0, bytes, 0)).toString('utf8');
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** The optional read: undefined when the file is missing or unreadable (e.g. a parity sibling). */
export function readIfPresent(file: string): string | undefined {
  try {
    return readTextFile(file);
  } catch {
    return undefined;
  }
}

const mb = (n: number): string => `${(n / 1048576).toFixed(n < 1048576 ? 2 : 0)} MB`;

const ERRNO: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  ELOOP: 'too many levels of symbolic links',
  EISDIR: 'is a directory',
  EMFILE: 'too many open files',
};

export function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code && ERRNO[code]) ?? (e as Error).message;
}
