/** What a CLI run reads: symlinks, FIFOs, devices and unknown files are reported by name, never hang or loop. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'node:test';
import { REPO } from '../../support/corpus';

const CLI = path.join(REPO, 'dist/cli.js');
const SAMPLE = path.join(REPO, 'test/fixtures/samples/web-server.rules');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: REPO, timeout: 20_000 });

function tree(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-walk-'));
  fs.mkdirSync(path.join(dir, 'fw/sub'), { recursive: true });
  fs.copyFileSync(SAMPLE, path.join(dir, 'fw/web.rules'));
  fs.symlinkSync('..', path.join(dir, 'fw/sub/loop')); // a loop back up the tree
  fs.symlinkSync(path.join(dir, 'missing.rules'), path.join(dir, 'fw/dangling.rules'));
  fs.symlinkSync(path.join(dir, 'fw/web.rules'), path.join(dir, 'fw/sub/linked.rules')); // links to files are read
  fs.writeFileSync(path.join(dir, 'fw/notes.txt'), 'not a ruleset\n');
  spawnSync('mkfifo', [path.join(dir, 'fw/pipe.rules')]);
  return dir;
}

test('a walk never follows symlinked directories, names dangling links per file and goes on', () => {
  const dir = tree();
  try {
    const r = run('check', '--verbose', path.join(dir, 'fw'));
    assert.equal(r.status, 2, r.stdout + r.stderr); // the dangling link is an error of the run
    const analysed = r.stdout.match(/: error PC101:/g) ?? [];
    assert.equal(analysed.length, 2, `web.rules and the link to it, each once:\n${r.stdout}`);
    assert.match(r.stdout, /fw\/dangling\.rules: error: dangling symbolic link \(no such file or directory\)/);
    assert.match(r.stdout, /fw\/sub\/loop: skipped: symbolic link to a directory, not followed/);
    assert.match(r.stdout, /fw\/notes\.txt: skipped: not a known file type/);
    if (fs.existsSync(path.join(dir, 'fw/pipe.rules'))) assert.match(r.stdout, /fw\/pipe\.rules: skipped: a FIFO, not read/);
    assert.match(r.stdout, /^2 files checked, \d skipped, 1 error, \d+ findings at or above warning$/m);
    // Without --verbose the skipped files are counted and the way to list them is named.
    const quiet = run('check', path.join(dir, 'fw'));
    assert.doesNotMatch(quiet.stdout, /skipped:/);
    assert.match(quiet.stdout, /\d skipped, 1 error, .*\(--verbose lists the skipped files\)/);
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});

test('"0 files checked" is exit 2: a CI job never passes having checked nothing', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-none-'));
  try {
    fs.writeFileSync(path.join(dir, 'edge.conf'), 'pass in all\n');
    const r = run('check', dir);
    assert.equal(r.status, 2);
    assert.match(r.stdout, /^0 files checked, 1 skipped/m);
    assert.match(r.stderr, /no files checked \(1 skipped; --verbose names them\)/);
    assert.match(run('check', '--verbose', dir).stdout, /edge\.conf: skipped: not a known file type \(to check it, name it or pass --language/);
    // Named explicitly with --language, the same file is checked.
    assert.equal(run('check', '--language', 'pf', path.join(dir, 'edge.conf')).status, 1);
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});

test('a FIFO or a device given explicitly ends at once with a per-file error', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-fifo-'));
  try {
    const fifo = path.join(dir, 'rules.v4');
    if (spawnSync('mkfifo', [fifo]).status !== 0) return t.skip('mkfifo not available');
    for (const args of [['check', fifo, SAMPLE], ['check', '--language', 'iptables', '/dev/zero', SAMPLE]]) {
      const started = Date.now();
      const r = run(...args);
      assert.ok(Date.now() - started < 15_000, `${args.join(' ')} took ${Date.now() - started} ms`);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /: error: cannot read: not a regular file \(a (FIFO|character device)\)/);
      assert.match(r.stdout, /web-server\.rules:11:25: error PC101/, 'the other file is still checked');
    }
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});

test('files over the input limit are refused with the sizes, not read', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-big-'));
  try {
    const big = path.join(dir, 'big.rules');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 21 * 1024 * 1024); // sparse: no disk used
    const r = run('check', big);
    assert.equal(r.status, 2);
    assert.match(r.stdout, /big\.rules: error: cannot read: 21 MB is over the input limit of 20 MB/);
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});

test('results are written per file as the run goes (streamed), and directories are read as the walk reaches them', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-stream-'));
  try {
    for (let i = 0; i < 100; i++) {
      fs.mkdirSync(path.join(dir, `d${String(i).padStart(2, '0')}`));
      fs.copyFileSync(SAMPLE, path.join(dir, `d${String(i).padStart(2, '0')}`, 'h.rules'));
    }
    const { spawn } = await import('node:child_process');
    for (const format of ['text', 'json', 'sarif']) {
      // When the first file's result arrives the run is paused and a file is added to the last directory: a run
      // that collected every file (or every result) up front would not report it.
      const late = path.join(dir, 'd99', `late-${format}.rules`);
      const child = spawn(process.execPath, [CLI, 'check', '--format', format, dir], { cwd: REPO });
      let out = '';
      let paused = false;
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (!paused && out.includes('d00')) {
          paused = true;
          child.kill('SIGSTOP');
          fs.copyFileSync(SAMPLE, late);
          child.kill('SIGCONT');
        }
      });
      await new Promise((resolve) => child.on('close', resolve));
      assert.ok(paused, `${format}: no output`);
      assert.ok(out.includes(`late-${format}.rules`), `${format}: the file added during the run was not checked`);
      fs.rmSync(late);
    }
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});
