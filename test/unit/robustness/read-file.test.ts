/** Safe reads: regular files only, no blocking open, a size limit, a reason per file. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { ReadError, readHead, readIfPresent, readRegularFile, readRegularFileAsync, readTextFile } from '../../../server/src/io/read-file';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-read-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const canFifo = (() => {
  try {
    execFileSync('mkfifo', [path.join(dir, 'probe.fifo')]);
    return true;
  } catch {
    return false;
  }
})();

async function both(p: string, maxBytes?: number) {
  const t = Date.now();
  const sync = readRegularFile(p, { maxBytes });
  const async = await readRegularFileAsync(p, { maxBytes });
  assert.ok(Date.now() - t < 3000, 'ends within seconds');
  assert.deepEqual(async, sync, 'sync and async agree');
  return sync;
}

test('a FIFO with no writer is refused at once, not waited on', { skip: !canFifo && 'mkfifo not available' }, async () => {
  const r = await both(path.join(dir, 'probe.fifo'));
  assert.deepEqual(r, { ok: false, code: 'not-regular', reason: 'not a regular file (a FIFO)' });
  // The CLI's throwing form and the content sniff say the same and do not wait either.
  assert.throws(() => readTextFile(path.join(dir, 'probe.fifo')), (e) => e instanceof ReadError && /a FIFO/.test(e.message));
  assert.equal(readHead(path.join(dir, 'probe.fifo'), 1024), undefined);
});

test('/dev/zero is refused (it would grow without end)', { skip: !fs.existsSync('/dev/zero') && 'no /dev/zero' }, async () => {
  const r = await both('/dev/zero');
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.code, 'not-regular');
  assert.match(!r.ok ? r.reason : '', /character device/);
  assert.equal(readIfPresent('/dev/zero'), undefined);
  assert.equal(readHead('/dev/zero', 1024), undefined);
});

test('directories, missing files and files over the limit each get their reason', async () => {
  assert.equal((await both(dir)).ok, false);
  const missing = await both(path.join(dir, 'nope'));
  assert.equal(!missing.ok && missing.code, 'missing');
  const big = path.join(dir, 'big.rules');
  fs.writeFileSync(big, 'x'.repeat(3 * 1048576));
  const r = await both(big, 2 * 1048576);
  assert.equal(!r.ok && r.code, 'too-large');
  assert.equal(!r.ok && r.reason, '3 MB is over the input limit of 2 MB');
  assert.throws(() => readTextFile(big, 2 * 1048576), /3 MB is over the input limit of 2 MB/);
  assert.equal(missing.ok || missing.reason, 'no such file or directory');
});

test('a regular file reads as UTF-8, byte for byte', async () => {
  const p = path.join(dir, 'ok.rules');
  const text = '*filter\n# ünïcödé – pasted\u00a0text\n-A INPUT -j ACCEPT\nCOMMIT\n';
  fs.writeFileSync(p, text);
  assert.deepEqual(await both(p), { ok: true, text });
  fs.writeFileSync(p, '');
  assert.deepEqual(await both(p), { ok: true, text: '' });
});

test('a file whose size fstat cannot tell (/proc) is read to its end, and refused past the limit', { skip: !fs.existsSync('/proc/self/maps') && 'no /proc' }, async () => {
  // /proc files report size 0: the read is bounded by the limit, never cut at a buffer's end.
  // smaps of a Node process is over 64 KB (an earlier reader stopped at size + 64 KB and cut it silently).
  const smaps = readRegularFile('/proc/self/smaps');
  assert.ok(smaps.ok && smaps.text.length > 65536 && smaps.text.endsWith('\n'), 'read to the end');
  const r = await both('/proc/self/mountinfo', 16);
  assert.equal(!r.ok && r.code, 'too-large');
  assert.equal(!r.ok && r.reason, 'more than 16 bytes is over the input limit of 16 bytes');
});

test('a regular file larger than one read chunk comes back whole', async () => {
  const p = path.join(dir, 'chunks.rules');
  const text = '-A INPUT -p tcp --dport 22 -j ACCEPT\n'.repeat(60_000); // about 2.2 MB: three 1 MB chunks
  fs.writeFileSync(p, text);
  assert.deepEqual(await both(p), { ok: true, text });
  assert.equal(readTextFile(p), text);
  assert.equal(readHead(p, 10), text.slice(0, 10));
});

test('files sized at the edges of the reads (fstat size, the small end-of-file read, a chunk) come back whole', async () => {
  // Multi-byte characters across the read boundaries, too: the text is decoded once, after the last read.
  for (const n of [1, 4094, 4095, 4096, 8191, 1 << 20, (1 << 20) + 1]) {
    const p = path.join(dir, `edge-${n}.txt`);
    const text = 'é'.repeat(n >> 1) + (n % 2 ? 'x' : '');
    fs.writeFileSync(p, text);
    assert.deepEqual(await both(p), { ok: true, text }, `${n} bytes`);
    const limit = await both(p, n - 1);
    assert.equal(!limit.ok && limit.code, 'too-large', `${n} bytes, limit one below`);
    assert.deepEqual(await both(p, n), { ok: true, text }, `${n} bytes, limit equal`);
  }
});
