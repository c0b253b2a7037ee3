/** Safe reads: regular files only, no blocking open, a size limit, a reason per file. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { readRegularFile, readRegularFileAsync } from '../../../server/src/io/read-file';

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
  assert.deepEqual(r, { ok: false, code: 'not-regular', reason: 'not a regular file (a FIFO (named pipe))' });
});

test('/dev/zero is refused (it would grow without end)', { skip: !fs.existsSync('/dev/zero') && 'no /dev/zero' }, async () => {
  const r = await both('/dev/zero');
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.code, 'not-regular');
  assert.match(!r.ok ? r.reason : '', /character device/);
});

test('directories, missing files and files over the limit each get their reason', async () => {
  assert.equal((await both(dir)).ok, false);
  const missing = await both(path.join(dir, 'nope'));
  assert.equal(!missing.ok && missing.code, 'missing');
  const big = path.join(dir, 'big.rules');
  fs.writeFileSync(big, 'x'.repeat(3 * 1048576));
  const r = await both(big, 2 * 1048576);
  assert.equal(!r.ok && r.code, 'too-large');
  assert.match(!r.ok ? r.reason : '', /3\.0 MB|3 MB/);
  assert.match(!r.ok ? r.reason : '', /over the 2 MB input limit/);
});

test('a regular file reads as UTF-8, byte for byte', async () => {
  const p = path.join(dir, 'ok.rules');
  const text = '*filter\n# ünïcödé – pasted\u00a0text\n-A INPUT -j ACCEPT\nCOMMIT\n';
  fs.writeFileSync(p, text);
  assert.deepEqual(await both(p), { ok: true, text });
  fs.writeFileSync(p, '');
  assert.deepEqual(await both(p), { ok: true, text: '' });
});
