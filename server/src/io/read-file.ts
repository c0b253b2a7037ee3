/**
 * Reading input files safely: only regular files, never more than a size limit, and never a blocking open.
 * A FIFO, a device (/dev/zero), a socket or a directory is refused with a reason the caller shows per file;
 * nothing here throws for a file the user named. Used by the server (sibling, include and service reads) and
 * meant for the CLI too.
 */
import * as fs from 'node:fs';

/** Default input size limit: far above real rulesets (the largest corpus file is under 1 MB). */
export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;

export type ReadResult =
  { ok: true; text: string } | { ok: false; reason: string; code: 'missing' | 'not-regular' | 'too-large' | 'error' };

export interface ReadOptions {
  /** Refuse files larger than this many bytes (default DEFAULT_MAX_BYTES). */
  maxBytes?: number;
}

const mb = (n: number): string => `${(n / 1048576).toFixed(n < 1048576 ? 2 : 0)} MB`;

function kind(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function failure(e: unknown): ReadResult {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return { ok: false, code: 'missing', reason: 'no such file' };
  if (err.code === 'EISDIR') return { ok: false, code: 'not-regular', reason: 'not a regular file (a directory)' };
  return { ok: false, code: 'error', reason: err.code ? `${err.code}: ${err.message}` : String(err.message ?? e) };
}

function tooLarge(size: number, max: number): ReadResult {
  return { ok: false, code: 'too-large', reason: `file is ${mb(size)}, over the ${mb(max)} input limit (setting maxFileSize)` };
}

/**
 * Opens without blocking (O_NONBLOCK: a FIFO with no writer would otherwise hang the open), checks with
 * fstat on the open descriptor that it is a regular file within the limit, and reads it as UTF-8. Reading
 * stops one byte past the limit, so a file that grows while read is still refused.
 */
export function readRegularFile(path: string, opts: ReadOptions = {}): ReadResult {
  const max = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  let fd: number;
  try {
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    return failure(e);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { ok: false, code: 'not-regular', reason: `not a regular file (${kind(st)})` };
    if (st.size > max) return tooLarge(st.size, max);
    const buf = Buffer.allocUnsafe(Math.min(max + 1, st.size + 65536));
    let len = 0;
    for (;;) {
      if (len === buf.length) break;
      const n = fs.readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
    }
    if (len > max) return tooLarge(len, max);
    return { ok: true, text: buf.toString('utf8', 0, len) };
  } catch (e) {
    return failure(e);
  } finally {
    fs.closeSync(fd);
  }
}

/** The same checks without blocking the event loop, for the language server. */
export async function readRegularFileAsync(path: string, opts: ReadOptions = {}): Promise<ReadResult> {
  const max = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    return failure(e);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return { ok: false, code: 'not-regular', reason: `not a regular file (${kind(st)})` };
    if (st.size > max) return tooLarge(st.size, max);
    const buf = Buffer.allocUnsafe(Math.min(max + 1, st.size + 65536));
    let len = 0;
    while (len < buf.length) {
      const { bytesRead } = await handle.read(buf, len, buf.length - len, null);
      if (bytesRead === 0) break;
      len += bytesRead;
    }
    if (len > max) return tooLarge(len, max);
    return { ok: true, text: buf.toString('utf8', 0, len) };
  } catch (e) {
    return failure(e);
  } finally {
    await handle.close();
  }
}
