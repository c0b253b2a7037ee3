/** Files read beside the checked ones are read once per CLI run, within a bound, and missing ones stay missing. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'node:test';
import { BesideTexts } from '../../../server/src/cli/analyse-file';

function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-beside-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

test('a file read beside another is read from disk once, and a missing one is reported missing each time', () => {
  const dir = folder({ 'a.yaml': 'kind: Pod\n' });
  try {
    const texts = new BesideTexts();
    assert.equal(texts.read(path.join(dir, 'a.yaml')), 'kind: Pod\n');
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'changed during the run\n');
    assert.equal(texts.read(path.join(dir, 'a.yaml')), 'kind: Pod\n', 'the run keeps the text it read first');
    assert.equal(texts.read(path.join(dir, 'missing.yaml')), undefined);
    assert.equal(texts.read(path.join(dir, 'missing.yaml')), undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('past its bound the least recently used texts are read again, and a text over a quarter of it is never kept', () => {
  const names = ['a', 'b', 'c', 'd', 'e'];
  const dir = folder({ ...Object.fromEntries(names.map((n) => [`${n}.yaml`, n.repeat(24)])), 'big.yaml': 'x'.repeat(30) });
  try {
    const texts = new BesideTexts(100);
    const read = (name: string) => texts.read(path.join(dir, `${name}.yaml`));
    for (const name of ['a', 'b', 'a', 'c', 'd', 'e']) read(name); // 120 characters: b, the least recently used, goes
    assert.equal(read('big'), 'x'.repeat(30));
    for (const name of [...names, 'big']) fs.writeFileSync(path.join(dir, `${name}.yaml`), `${name} on disk now`);
    for (const name of ['a', 'c', 'd', 'e']) assert.equal(read(name), name.repeat(24));
    assert.equal(read('b'), 'b on disk now');
    assert.equal(read('big'), 'big on disk now');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
