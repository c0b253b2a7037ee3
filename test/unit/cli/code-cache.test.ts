/**
 * dist/cli.js runs the CLI bundle with the code cache esbuild.mjs wrote (server/src/cli/start.ts): the output is the
 * same with and without the cache, and a cache made from another source of the same length (which V8's own check,
 * by length, would take) is not used: the run shows the edited source's behaviour.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'node:test';
import { REPO } from '../../support/corpus';

const DIST = path.join(REPO, 'dist');
const SAMPLE = path.join(REPO, 'test/fixtures/samples/web-server.rules');
const run = (dir: string, ...args: string[]) =>
  spawnSync(process.execPath, [path.join(dir, 'cli.js'), ...args], { encoding: 'utf8', cwd: REPO });

const NO_CACHE = !fs.existsSync(path.join(DIST, 'cli-main.js.cache')) && 'no dist/cli-main.js.cache (node esbuild.mjs)';

test('the CLI prints the same with its code cache, without it, and ignores a cache of another source', { skip: NO_CACHE }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-cache-'));
  try {
    // The bundle finds its formats and libraries beside it.
    fs.cpSync(DIST, dir, { recursive: true, filter: (p) => !p.endsWith('.map') });
    const withCache = run(dir, 'check', '--format', 'json', SAMPLE);
    assert.ok(withCache.stdout.includes('"findings"'), withCache.stderr);
    fs.rmSync(path.join(dir, 'cli-main.js.cache'));
    const without = run(dir, 'check', '--format', 'json', SAMPLE);
    assert.equal(without.status, withCache.status);
    assert.ok(without.stdout === withCache.stdout, 'output differs without the code cache');
    // The same length, another text: the cache of the original must not bring the old text back.
    fs.copyFileSync(path.join(DIST, 'cli-main.js.cache'), path.join(dir, 'cli-main.js.cache'));
    const main = path.join(dir, 'cli-main.js');
    const source = fs.readFileSync(main, 'utf8');
    assert.ok(source.includes('no files checked'));
    fs.writeFileSync(main, source.replace('no files checked', 'NO FILES CHECKED'));
    const edited = run(dir, 'check', path.join(dir, 'cli.js.map'));
    assert.match(edited.stderr, /NO FILES CHECKED/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
