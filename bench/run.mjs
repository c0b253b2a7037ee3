// Benchmarks: prints figures measured side by side in one run. Not a test: machines are noisy.
// Uses the compiled sources in out/ (npm run bench builds them) and the bundled server in dist/.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = path.resolve(REPO, '../shared/corpus');
if (!fs.existsSync(path.join(REPO, 'out/server/src/pipeline.js'))) execFileSync('npx', ['tsc', '-p', REPO], { stdio: 'inherit' });
const { analyseText } = require(path.join(REPO, 'out/server/src/pipeline.js'));
const { iptablesFormat } = require(path.join(REPO, 'out/server/src/formats/iptables/index.js'));
const { resolveSettings } = require(path.join(REPO, 'out/server/src/analysis/settings.js'));
const { hoverAt } = require(path.join(REPO, 'out/server/src/features/hover.js'));
const { allRules } = require(path.join(REPO, 'out/server/src/model/ruleset.js'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const row = (name, value, target) => console.log(`${name.padEnd(52)} ${value.padStart(12)}   ${target ?? ''}`);

const largest = path.join(CORPUS, 'iptables/tum-net-2015-09-03.rules');
const small = path.join(CORPUS, 'iptables/synology-2015-cleanup.rules');
if (!fs.existsSync(largest)) {
  console.log(`bench: ${largest} not found (../shared/corpus absent): skipped`);
  process.exit(0);
}
const settings = resolveSettings({});
const text = fs.readFileSync(largest, 'utf8');
const smallText = fs.readFileSync(small, 'utf8');

console.log(`Portcullis bench — node ${process.version}, ${new Date().toISOString()}`);
console.log(`largest ruleset: ${path.relative(CORPUS, largest)} (${text.split('\n').length} lines)\n`);

// 1. parse + full analysis, median of several runs after warm-up.
for (let i = 0; i < 3; i++) analyseText(text, iptablesFormat, largest, settings);
const parseOnly = [];
const full = [];
for (let i = 0; i < 9; i++) {
  let t = performance.now();
  iptablesFormat.parse(text, { path: largest, resolveService: () => undefined });
  parseOnly.push(performance.now() - t);
  t = performance.now();
  analyseText(text, iptablesFormat, largest, settings);
  full.push(performance.now() - t);
}
const { serviceMatrix } = require(path.join(REPO, 'out/server/src/analysis/matrix.js'));
const { analyseExposure } = require(path.join(REPO, 'out/server/src/analysis/exposure.js'));
const exposureRuns = [];
const matrixRuns = [];
for (let i = 0; i < 9; i++) {
  const rs = iptablesFormat.parse(text, { path: largest, resolveService: () => undefined });
  let t = performance.now();
  const ex = analyseExposure(rs);
  exposureRuns.push(performance.now() - t);
  t = performance.now();
  serviceMatrix(ex);
  matrixRuns.push(performance.now() - t);
}
const smallRuns = [];
for (let i = 0; i < 21; i++) {
  const t = performance.now();
  analyseText(smallText, iptablesFormat, small, settings);
  smallRuns.push(performance.now() - t);
}
row('parse only, largest (median of 9)', `${median(parseOnly).toFixed(1)} ms`);
row('parse + full analysis, largest (median of 9)', `${median(full).toFixed(1)} ms`, 'target < 50 ms');
row('exposure walk only, largest (median of 9)', `${median(exposureRuns).toFixed(1)} ms`);
row('service matrix: parse + exposure + matrix, largest', `${(median(parseOnly) + median(exposureRuns) + median(matrixRuns)).toFixed(1)} ms`, 'target < 200 ms');
row('parse + full analysis, 23-rule synology (median)', `${median(smallRuns).toFixed(2)} ms`);
row('ratio largest / small', `${(median(full) / median(smallRuns)).toFixed(0)}x`, `(${(text.length / smallText.length).toFixed(0)}x the text)`);

// 2. hover latency on every port token of the largest ruleset.
const fa = analyseText(text, iptablesFormat, largest, settings);
const positions = allRules(fa.ruleset).flatMap((r) => r.conditions.flatMap((c) => (c.items ?? []).map((i) => i.range.start)));
const lat = [];
for (const p of positions) {
  const t = performance.now();
  hoverAt(fa, p, settings);
  lat.push(performance.now() - t);
}
row(`hover in-process, ${positions.length} port tokens: p50`, `${pct(lat, 50).toFixed(3)} ms`);
row('hover in-process: p99', `${pct(lat, 99).toFixed(3)} ms`, 'target p99 < 2 ms');

// 3. the bundled server over stdio: diagnostics time, hover round trips, resident memory.
// lib.mjs loads out/, which the check above may have just built.
const { startServer } = await import('./lib.mjs');
// Started through its shebang, exactly as `portcullis-language-server --stdio` runs in an editor.
const { proc, conn, diagnostics, stop } = await startServer(path.join(REPO, 'dist/server.js'), ['--stdio']);
const uri = pathToFileURL(largest).href;
// CPU time of the server process (every thread; /proc ticks of 10 ms): steadier than wall time on a busy machine.
const cpuMs = () => {
  const stat = fs.readFileSync(`/proc/${proc.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(stat[11]) + Number(stat[12])) * 10;
};
const cpu0 = cpuMs();
let t = performance.now();
await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'iptables', version: 1, text } });
const diags = await diagnostics(30_000);
row(
  'server: open largest → diagnostics published',
  `${(performance.now() - t).toFixed(0)} ms`,
  `CPU ${cpuMs() - cpu0} ms (${diags.diagnostics.length} diagnostics); target < 150 ms`,
);
const rtt = [];
for (const p of positions.slice(0, 500)) {
  t = performance.now();
  await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: p });
  rtt.push(performance.now() - t);
}
row('server hover round trip over stdio: p50', `${pct(rtt, 50).toFixed(3)} ms`);
row('server hover round trip over stdio: p99', `${pct(rtt, 99).toFixed(3)} ms`);
const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
row('server RSS with the largest file open', rss ? `${(Number(rss[1]) / 1024).toFixed(1)} MB` : 'n/a', 'target < 60 MB');
await stop();

// 4. bundle sizes.
for (const f of ['extension.js', 'server.js', 'cli-main.js']) {
  const p = path.join(REPO, 'dist', f);
  if (fs.existsSync(p)) row(`dist/${f} size`, `${(fs.statSync(p).size / 1024).toFixed(0)} KB`);
}

// 5. every other bench/*.mjs, contributed per area, in name order.
const EXTRAS = fs.readdirSync(path.join(REPO, 'bench')).filter((f) => f.endsWith('.mjs') && f !== 'run.mjs' && f !== 'lib.mjs').sort();
for (const extra of EXTRAS) {
  const p = path.join(REPO, 'bench', extra);
  if (fs.existsSync(p)) {
    console.log(`\n--- bench/${extra}`);
    try {
      execFileSync(process.execPath, [p], { stdio: 'inherit', timeout: 300_000 });
    } catch (e) {
      console.log(`bench/${extra} failed: ${e.message}`);
    }
  }
}
