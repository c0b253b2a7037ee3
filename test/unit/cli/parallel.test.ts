/**
 * `portcullis check` on worker threads prints exactly what the serial path prints: same bytes, same order, same
 * exit status, in every output format, on the corpus and on a tree with the awkward cases (a broken config,
 * unreadable and skipped entries). The pool chooses threads only where there is enough to analyse.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'node:test';
import { checkInParallel, planWorkers } from '../../../server/src/cli/check-pool';
import { inputs, type Input } from '../../../server/src/cli/inputs';
import { CORPUS, HAVE_CORPUS, NO_CORPUS, REPO } from '../../support/corpus';

const CLI = path.join(REPO, 'dist/cli.js');
const SAMPLES = path.join(REPO, 'test/fixtures/samples');
const check = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, 'check', ...args], { encoding: 'utf8', cwd: REPO, timeout: 600_000, maxBuffer: 512 * 1024 * 1024 });

function assertSameBothWays(targets: string[], extra: string[] = [], formats = ['text', 'json', 'sarif']): void {
  for (const format of formats) {
    const args = ['--format', format, '--min-severity', 'hint', ...extra, ...targets];
    const serial = check('--jobs', '1', ...args);
    const parallel = check('--jobs', '3', ...args);
    assert.ok(serial.stdout.length > 100, `${format}: ${serial.stderr}`);
    assert.equal(parallel.status, serial.status, `${format}: exit status`);
    assert.equal(parallel.stderr, serial.stderr, `${format}: stderr`);
    // Compared as strings, not parsed: the promise is byte-identical output.
    assert.ok(parallel.stdout === serial.stdout, `${format}: output differs from the serial run`);
  }
}

test('serial and parallel check print the same bytes on the corpus (text, JSON, SARIF)', { skip: !HAVE_CORPUS && NO_CORPUS }, () => {
  // The whole corpus as JSON; text and SARIF render the same per-file stream, so every format's folder without
  // the folders of large rulesets (their cost is analysis, which the JSON run covers) is enough for them.
  assertSameBothWays([CORPUS], [], ['json']);
  const heavy = new Set(['iptables', 'iptables-golden', 'nftables-translated']);
  const dirs = fs
    .readdirSync(CORPUS, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !heavy.has(d.name))
    .map((d) => path.join(CORPUS, d.name));
  assertSameBothWays(dirs, [], ['text', 'sarif']);
});

test('serial and parallel check agree on broken configs, unreadable files and skipped entries', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-par-'));
  try {
    const sample = fs.readFileSync(path.join(SAMPLES, 'web-server.rules'), 'utf8');
    for (let i = 0; i < 12; i++) {
      const sub = path.join(dir, i % 2 ? 'a' : 'b');
      fs.mkdirSync(sub, { recursive: true });
      fs.writeFileSync(path.join(sub, `host${i}.rules`), sample.replace('198.51.100.0/24', `10.0.${i}.0/24`));
    }
    // A config with a problem is reported once, on the first file (in input order) that uses it.
    fs.writeFileSync(path.join(dir, 'a', '.portcullis.json'), '{ "severity": { "PC101": "loud" } }');
    fs.writeFileSync(path.join(dir, 'a', 'notes.txt'), 'not a ruleset\n');
    fs.symlinkSync(path.join(dir, 'missing.rules'), path.join(dir, 'b', 'dangling.rules'));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    assertSameBothWays([dir, SAMPLES, path.join(dir, 'none.rules')], ['--verbose']);
    const text = check('--jobs', '3', '--verbose', dir);
    assert.match(text.stdout, /a\/host1\.rules: error: config: /);
    assert.equal(text.stdout.match(/error: config:/g)?.length, 1);
    assert.match(text.stdout, /dangling\.rules: error: dangling symbolic link/);
    assert.match(text.stdout, /notes\.txt: skipped: not a known file type/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('threads only where they pay: enough bytes and idle cores; the look-ahead keeps every input in order', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-plan-'));
  const idle4 = { cores: 4, load: 0.3 };
  const idle8 = { cores: 8, load: 0.3 };
  try {
    const sample = fs.readFileSync(path.join(SAMPLES, 'web-server.rules'), 'utf8');
    fs.writeFileSync(path.join(dir, 'one.rules'), sample);
    const small = planWorkers(inputs([dir]), undefined, idle4);
    assert.equal(small.workers, 0);
    assert.deepEqual([...small.inputs].map((i) => i.path), [path.join(dir, 'one.rules')]);
    // Forty 10 KB rulesets: about 0.6 s of analysis, less than the workers' start-up and extra CPU would cost.
    for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(dir, `big${String(i).padStart(2, '0')}.rules`), sample.repeat(20));
    assert.equal(planWorkers(inputs([dir]), undefined, idle4).workers, 0);
    // Forty 30 KB ones: about 2 s.
    for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(dir, `big${String(i).padStart(2, '0')}.rules`), sample.repeat(60));
    const big = planWorkers(inputs([dir]), undefined, idle8);
    // --jobs and the plan count the main thread, which analyses too; a thread per two idle cores (V8's own threads
    // take about as much CPU as an analysing thread): eight idle cores are four threads, three workers beside it.
    assert.equal(big.workers, 3);
    assert.equal(planWorkers(inputs([dir]), undefined, idle4).workers, 1);
    assert.deepEqual(
      [...big.inputs].map((i) => i.path),
      [...inputs([dir])].map((i) => i.path),
    );
    // Busy or single cores: the serial path, whose CPU cost is lower.
    assert.equal(planWorkers(inputs([dir]), undefined, { cores: 4, load: 3.2 }).workers, 0);
    assert.equal(planWorkers(inputs([dir]), undefined, { cores: 4, load: 1.6 }).workers, 0);
    assert.equal(planWorkers(inputs([dir]), undefined, { cores: 2, load: 0 }).workers, 0);
    assert.equal(planWorkers(inputs([dir]), undefined, { cores: 1, load: 0 }).workers, 0);
    // --jobs decides alone.
    assert.equal(planWorkers(inputs([dir]), 1, idle4).workers, 0);
    assert.equal(planWorkers(inputs([dir]), 3, { cores: 1, load: 9 }).workers, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a worker that cannot start fails the run with an error instead of hanging', async () => {
  const files: Input[] = [...inputs([SAMPLES])];
  const run = async () => {
    for await (const _ of checkInParallel(files, 2, { min: 'hint' }, { script: path.join(os.tmpdir(), 'no-such-worker.js') }));
  };
  await assert.rejects(run, /Cannot find module|no-such-worker|exit code/);
});
