#!/usr/bin/env node
// Extension start-up figures (not a timed test; prints figures and targets):
//   1. size of the minified extension bundle (dist/extension.js as packaged) and of the server bundle;
//   2. time to load the minified extension bundle in a fresh Node with a stub `vscode` module (median of N runs);
//   3. activation time measured inside a real VS Code extension host: the e2e suite (scripts/test-e2e.sh)
//      records performance.now() around ext.activate() in bench/results/e2e-activation.json. That figure covers
//      loading the bundle, spawning the language server and the LSP initialize handshake.
// Targets: bundle < 1 MB, activation < 50 ms.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS || 15);
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const verdict = (ok) => (ok ? 'meets target' : 'MISSES target');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-bench-act-'));
try {
  const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, logLevel: 'warning', absWorkingDir: REPO, mainFields: ['module', 'main'] };
  const ext = path.join(tmp, 'extension.js');
  const srv = path.join(tmp, 'server.js');
  await esbuild.build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: ext, external: ['vscode'] });
  await esbuild.build({ ...common, entryPoints: ['server/src/server.ts'], outfile: srv });
  const extSize = fs.statSync(ext).size;
  const srvSize = fs.statSync(srv).size;
  console.log(`extension bundle (minified): ${kb(extSize)} — target < 1 MB: ${verdict(extSize < 1024 * 1024)}`);
  console.log(`server bundle (minified):    ${kb(srvSize)} — target < 400 KB: ${verdict(srvSize < 400 * 1024)} (IANA table outside it: ${kb(fs.statSync(path.join(REPO, 'dist/iana-services.tsv')).size)}, read on first lookup)`);

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
  console.log(`activation in a real extension host (${m.appName} ${m.vscodeVersion}, ext.activate() incl. server start and LSP initialize, recorded ${m.at} by the e2e suite): ${m.activateMs.toFixed(1)} ms — target < 50 ms: ${verdict(m.activateMs < 50)}${m.alreadyActive ? ' (extension was already active: figure not meaningful)' : ''}`);
} else {
  console.log('activation in a real extension host: not measured yet — run scripts/test-e2e.sh (writes bench/results/e2e-activation.json)');
}
