#!/usr/bin/env node
// Extension start-up figures (not a timed test; prints figures and targets):
//   1. sizes of the packaged (minified) bundles, built by esbuild.mjs as scripts/package.sh builds them: the
//      extension (what activation loads), the language client it loads after activation, the server, and the
//      format and library files the server loads on first use;
//   2. time to load the minified extension bundle in a fresh Node with a stub `vscode` module (median of N runs);
//   3. activation time measured inside a real VS Code extension host: the e2e suite (scripts/test-e2e.sh)
//      records performance.now() around ext.activate() in bench/results/e2e-activation.json. Activation registers
//      views and commands; the language client is loaded and the server started on the next tick (not awaited).
// Targets: extension bundle < 1 MB, server bundle < 400 KB, activation < 50 ms.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS || 15);
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const verdict = (ok) => (ok ? 'meets target' : 'MISSES target');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-bench-act-'));
try {
  execFileSync(process.execPath, ['esbuild.mjs', '--minify', `--outdir=${tmp}`], { cwd: REPO, stdio: 'inherit' });
  const ext = path.join(tmp, 'extension.js');
  const size = (f) => fs.statSync(path.join(tmp, f)).size;
  const sizes = (dir) => fs.readdirSync(path.join(tmp, dir)).filter((f) => f.endsWith('.js')).map((f) => [f, size(path.join(dir, f))]);
  const extSize = size('extension.js');
  const srvSize = size('server.js');
  console.log(`extension bundle (minified, loaded by activation): ${kb(extSize)} — target < 1 MB: ${verdict(extSize < 1024 * 1024)}`);
  console.log(`language client (minified, loaded after activation): ${kb(size('language-client.js'))}`);
  console.log(`server bundle (minified):    ${kb(srvSize)} — target < 400 KB: ${verdict(srvSize < 400 * 1024)} (IANA table outside it: ${kb(fs.statSync(path.join(REPO, 'dist/iana-services.tsv')).size)}, read on first lookup)`);
  console.log(`  loaded on first use: ${sizes('formats').map(([f, n]) => `formats/${f} ${kb(n)}`).join(', ')}`);
  console.log(`  shared libraries: ${sizes('lib').map(([f, n]) => `lib/${f} ${kb(n)}`).join(', ')}`);
  console.log(`  CLI ${kb(size('cli-main.js'))} (started by the 2 KB dist/cli.js with its code cache), analysis worker ${kb(size('analysis-worker.js'))}`);

  // Loading the bundle with a stub vscode module, in a fresh process each time (cold module cache).
  const probe = path.join(tmp, 'load.cjs');
  fs.writeFileSync(probe, `
const Module = require('module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (req, ...rest) { return req === 'vscode' ? require.resolve('./vscode-stub.cjs') : resolve.call(this, req, ...rest); };
const t0 = process.hrtime.bigint();
const m = require(${JSON.stringify(ext)});
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
if (typeof m.activate !== 'function') throw new Error('no activate export');
process.stdout.write(String(ms));
`);
  fs.writeFileSync(path.join(tmp, 'vscode-stub.cjs'), `module.exports = new Proxy({}, { get: (t, k) => k === '__esModule' ? false : new Proxy(function () {}, { get: () => ({}) }) });\n`);
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(process.execPath, [probe], { encoding: 'utf8' });
    if (r.status !== 0) { console.log(`bundle load failed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`); break; }
    times.push(Number(r.stdout));
  }
  if (times.length) {
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    console.log(`bundle load with a stub vscode (require, median of ${times.length} cold runs): ${median.toFixed(1)} ms (min ${times[0].toFixed(1)}, max ${times[times.length - 1].toFixed(1)}) — target < 50 ms: ${verdict(median < 50)}`);
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

const e2e = path.join(REPO, 'bench', 'results', 'e2e-activation.json');
if (fs.existsSync(e2e)) {
  const m = JSON.parse(fs.readFileSync(e2e, 'utf8'));
  console.log(`activation in a real extension host (${m.appName} ${m.vscodeVersion}, ext.activate(), recorded ${m.at} by the e2e suite): ${m.activateMs.toFixed(1)} ms — target < 50 ms: ${verdict(m.activateMs < 50)}${m.alreadyActive ? ' (extension was already active: figure not meaningful)' : ''}`);
  if (m.bundleLoadMs !== undefined)
    console.log(`  of which the extension's own code: loading its bundle ${m.bundleLoadMs.toFixed(1)} ms, activate() ${m.activateBodyMs.toFixed(1)} ms; the rest is the editor's`);
} else {
  console.log('activation in a real extension host: not measured yet — run scripts/test-e2e.sh (writes bench/results/e2e-activation.json)');
}
