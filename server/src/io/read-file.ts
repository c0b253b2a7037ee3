/**
 * The one way input files are read, by the CLI, the server (sibling, include and service reads) and the nmap
 * import: only regular files, never more than a size limit, and never a blocking open. A FIFO, a device
 * (/dev/zero), a socket or a directory is refused with a reason the caller shows per file. The core returns
 * failures as values; `readTextFile` is the throwing form for callers that stop on the first failure.
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

/** A failed read, thrown by `readTextFile`; the message is the per-file reason. */
export class ReadError extends Error {}

// A FIFO's open would otherwise wait for a writer; O_NONBLOCK is missing on Windows, where FIFOs are not files.
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);
const CHUNK = 1 << 20;
/** Under Buffer.poolSize / 2, so taken from Node's shared pool rather than allocated. */
const SMALL_CHUNK = 4095;

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

const ERRNO: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  ELOOP: 'too many levels of symbolic links',
  EISDIR: 'is a directory',
  EMFILE: 'too many open files',
};

/** An error from the file system in words. */
export function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code && ERRNO[code]) ?? (e as Error).message ?? String(e);
}

const mb = (n: number): string => (n < 1048576 ? `${n} bytes` : `${(n / 1048576).toFixed(0)} MB`);

function failure(e: unknown): ReadResult {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return { ok: false, code: 'missing', reason: errnoText(e) };
  if (code === 'EISDIR') return { ok: false, code: 'not-regular', reason: 'not a regular file (a directory)' };
  return { ok: false, code: 'error', reason: errnoText(e) };
}

const tooLarge = (size: string, max: number): ReadResult => ({
  ok: false,
  code: 'too-large',
  reason: `${size} is over the input limit of ${mb(max)}`,
});

/** What fstat on the open descriptor decides before any byte is read; undefined when reading may go on. */
function refusal(st: fs.Stats, max: number): ReadResult | undefined {
  if (!st.isFile()) return { ok: false, code: 'not-regular', reason: `not a regular file (${fileKind(st)})` };
  if (st.size > max) return tooLarge(mb(st.size), max);
  return undefined;
}

/** Bytes read so far in chunks; at most max + 1 are kept, so a file that grows while read (or /proc) is refused. */
class Chunks {
  private readonly parts: Buffer[] = [];
  total = 0;
  /** `size`: what fstat reported (0 for /proc files). */
  constructor(
    private readonly max: number,
    private readonly size = 0,
  ) {}
  /**
   * A buffer for the next read, sized so the total never passes max + 1: the whole file (as fstat sized it) at
   * once, then small reads that find the end; a chunk at a time when the size is unknown or was passed.
   * (Two 1 MB buffers per small file made reading a folder's files cost more than parsing them.)
   */
  next(): Buffer {
    const { size, total } = this;
    const want = !size ? CHUNK : total < size ? size + 1 - total : total === size ? SMALL_CHUNK : CHUNK;
    return Buffer.allocUnsafe(Math.min(want, this.max + 1 - this.total));
  }
  /** Keeps n bytes of `buf`; false once there is nothing more to read or the limit is passed. */
  add(buf: Buffer, n: number): boolean {
    if (n === 0) return false;
    this.parts.push(buf.subarray(0, n));
    this.total += n;
    return this.total <= this.max;
  }
  result(): ReadResult {
    if (this.total > this.max) return tooLarge(`more than ${mb(this.max)}`, this.max);
    return { ok: true, text: Buffer.concat(this.parts, this.total).toString('utf8') };
  }
}

/**
 * Opens without blocking, checks with fstat on the open descriptor that it is a regular file within the
 * limit, and reads it as UTF-8. Never throws for a file the user named.
 */
export function readRegularFile(path: string, opts: ReadOptions = {}): ReadResult {
  const max = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  let fd: number;
  try {
    fd = fs.openSync(path, OPEN_FLAGS);
  } catch (e) {
    return failure(e);
  }
  try {
    const st = fs.fstatSync(fd);
    const refused = refusal(st, max);
    if (refused) return refused;
    // Files under /proc report size 0 and may be endless, so the read itself is bounded too.
    const chunks = new Chunks(max, st.size);
    let buf = chunks.next();
    while (chunks.add(buf, fs.readSync(fd, buf, 0, buf.length, null))) buf = chunks.next();
    return chunks.result();
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
    handle = await fs.promises.open(path, OPEN_FLAGS);
  } catch (e) {
    return failure(e);
  }
  try {
    const st = await handle.stat();
    const refused = refusal(st, max);
    if (refused) return refused;
    const chunks = new Chunks(max, st.size);
    let buf = chunks.next();
    while (chunks.add(buf, (await handle.read(buf, 0, buf.length, null)).bytesRead)) buf = chunks.next();
    return chunks.result();
  } catch (e) {
    return failure(e);
  } finally {
    await handle.close();
  }
}

/** `readRegularFile` for callers that stop at the first failure: the text, or a ReadError with the reason. */
export function readTextFile(path: string, maxBytes = DEFAULT_MAX_BYTES): string {
  const read = readRegularFile(path, { maxBytes });
  if (!read.ok) throw new ReadError(read.reason);
  return read.text;
}

/** The optional read: undefined when the file is missing or cannot be read (e.g. a parity sibling). */
export function readIfPresent(path: string): string | undefined {
  const read = readRegularFile(path);
  return read.ok ? read.text : undefined;
}

/** The first `bytes` of a regular file (for formats recognised by content), or undefined. Never blocks. */
export function readHead(path: string, bytes: number): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(path, OPEN_FLAGS);
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
