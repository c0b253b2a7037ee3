// Typing into the language server over stdio, on the largest corpus ruleset (tum-net, 4,973 rules):
//  1. one-line edits anywhere → fresh diagnostics: p50/p99 over 100 seeded random edits (inert ones — comments,
//     counters, whitespace — and ones that change rules, as test/support/random-edits.ts makes them), each sent
//     after the previous one's diagnostics arrived;
//  2. an edit that arrives while the previous one is being analysed (sent 250 ms after it: past the debounce, inside its
//     analysis) → its diagnostics: p50/p99 over 20 such pairs of edits that change the model;
//  3. a burst of 200 edits back to back (type/delete at the end of a rule line) → lag of the final diagnostics after
//     the last edit, and the server's resident memory.
// `node bench/lsp-typing.mjs [--edits N] [--server A.js --server B.js]`: with two servers (say main's dist/server.js
// and this one), each edit goes to A then B (and the bursts alternate), printed side by side, with the server's CPU
// time per edit beside the latency (a loaded machine stretches the latency more than the CPU time).
// `--flags=…` once per server (`--flags=--max-semi-space-size=8`) sets node's flags for it instead of the ones
// editors use: the same server twice with two young generation sizes, say. Not a test.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = path.resolve(REPO, '../shared/corpus');
const LARGEST = path.join(CORPUS, 'iptables/tum-net-2015-09-03.rules');
if (!fs.existsSync(LARGEST)) {
  console.log(`lsp-typing: ${LARGEST} not found (../shared/corpus absent): skipped`);
  process.exit(0);
}
if (!fs.existsSync(path.join(REPO, 'out/test/support/lsp-client.js'))) execFileSync('npx', ['tsc', '-p', REPO], { stdio: 'inherit' });
const { LspClient } = require(path.join(REPO, 'out/test/support/lsp-client.js'));
const { applyEdit, randomEdit, rng, INERT_KINDS, EDIT_KINDS } = require(path.join(REPO, 'out/test/support/random-edits.js'));

const { values } = parseArgs({ options: { edits: { type: 'string', default: '100' }, server: { type: 'string', multiple: true }, flags: { type: 'string', multiple: true } } });
const EDITS = Number(values.edits);
const SERVERS = values.server?.length ? values.server.map((s) => path.resolve(s)) : [path.join(REPO, 'dist/server.js')];
// As editors run it: the bin's shebang and the VS Code client pass server/src/node-flags.json's flags.
const SERVER_FLAGS = require('../server/src/node-flags.json').server;
const FLAGS = SERVERS.map((_, i) => (values.flags?.[i]?.split(' ').filter(Boolean) ?? SERVER_FLAGS));
const SEED = 15;
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const rssMb = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const uri = pathToFileURL('/nonexistent-portcullis-bench/tum-net.rules').href;

async function opened(server, nodeArgs) {
  const client = new LspClient({ server, nodeArgs });
  await client.initialize();
  const text = fs.readFileSync(LARGEST, 'utf8');
  await client.open(uri, text);
  await client.diagnostics(uri, (_d, v) => v === 1, 120_000);
  return { client, lines: text.split('\n') };
}

/** CPU time (user + system, every thread: the analysis worker included) the process has used, in ms. */
function cpuMs(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/**
 * 1. One edit at a time, the same edits to every server in lockstep (A, B, A, B …, so all see the same load): the
 * latency of each version's diagnostics and the server's CPU time for it, split by whether the edit was inert.
 */
async function oneLineEdits(servers) {
  const runs = [];
  for (const [i, server] of servers.entries()) runs.push({ ...(await opened(server, FLAGS[i])), all: [], inert: [], other: [], cpu: [], cpuOther: [] });
  const random = rng(SEED);
  const lines = runs[0].lines;
  for (let v = 2; v < EDITS + 2; v++) {
    const edit = randomEdit(lines, random);
    applyEdit(lines, edit);
    for (const run of runs) {
      const cpu = cpuMs(run.client.pid);
      const t = performance.now();
      await run.client.change(uri, v, [{ range: edit.range, text: edit.text }]);
      await run.client.diagnostics(uri, (_d, pv) => pv === v, 120_000);
      const ms = performance.now() - t;
      const used = cpuMs(run.client.pid) - cpu;
      run.all.push(ms);
      run.cpu.push(used);
      if (INERT_KINDS.includes(edit.kind)) run.inert.push(ms);
      else (run.other.push(ms), run.cpuOther.push(used));
    }
  }
  for (const run of runs) await run.client.close();
  return runs;
}

/**
 * 2. Pairs of edits that change the model, the second sent 250 ms after the first (which is then being analysed): the
 * latency of the second one's diagnostics, which must not wait for the whole stale analysis of the first.
 */
async function editsDuringAnalysis(servers, pairs = 20) {
  const runs = [];
  for (const [i, server] of servers.entries()) runs.push({ ...(await opened(server, FLAGS[i])), ms: [], cpu: [] });
  const random = rng(SEED + 1);
  const lines = runs[0].lines;
  const changing = EDIT_KINDS.filter((k) => !INERT_KINDS.includes(k));
  let v = 1;
  for (let i = 0; i < pairs; i++) {
    const first = randomEdit(lines, random, changing);
    applyEdit(lines, first);
    const second = randomEdit(lines, random, changing);
    applyEdit(lines, second);
    v += 2;
    for (const run of runs) {
      await run.client.change(uri, v - 1, [{ range: first.range, text: first.text }]);
      await new Promise((r) => setTimeout(r, 250));
      const cpu = cpuMs(run.client.pid);
      const t = performance.now();
      await run.client.change(uri, v, [{ range: second.range, text: second.text }]);
      await run.client.diagnostics(uri, (_d, pv) => pv === v, 120_000);
      run.ms.push(performance.now() - t);
      run.cpu.push(cpuMs(run.client.pid) - cpu);
    }
  }
  for (const run of runs) await run.client.close();
  return runs;
}

/** 3. 200 edits back to back, as the robustness test sends them. */
async function burst(server, nodeArgs) {
  const { client, lines } = await opened(server, nodeArgs);
  const target = lines.findIndex((l) => l.startsWith('-A INPUT') && l.includes('--dport'));
  let current = lines[target];
  const sends = [];
  for (let v = 2; v <= 201; v++) {
    const deleting = v % 3 === 0;
    const end = current.length;
    const change = deleting
      ? { range: { start: { line: target, character: end - 1 }, end: { line: target, character: end } }, text: '' }
      : { range: { start: { line: target, character: end }, end: { line: target, character: end } }, text: ' ' };
    current = deleting ? current.slice(0, -1) : current + ' ';
    sends.push(client.change(uri, v, [change]));
  }
  await Promise.all(sends);
  const last = performance.now();
  await client.diagnostics(uri, (_d, v) => v === 201, 120_000);
  const lag = performance.now() - last;
  const rss = rssMb(client.pid);
  await client.close();
  return { lag, rss };
}

const fmt = (xs, p) => (xs.length ? `${pct(xs, p).toFixed(1)} ms` : 'n/a');
const row = (name, values, target) => console.log(`${name.padEnd(58)} ${values.map((v) => v.padStart(12)).join(' ')}   ${target ?? ''}`);

console.log(`\nLanguage server while typing — ${path.relative(CORPUS, LARGEST)}, ${EDITS} random one-line edits (seed ${SEED})`);
if (SERVERS.length > 1) console.log(SERVERS.map((s, i) => `  [${i}] ${s}`).join('\n'));
const edits = [];
const bursts = [];
// Interleaved: A B A B, so both builds see the same machine load.
edits.push(...(await oneLineEdits(SERVERS)));
const during = await editsDuringAnalysis(SERVERS);
for (let round = 0; round < 2; round++) for (const [i, server] of SERVERS.entries()) (bursts[i] ??= []).push(await burst(server, FLAGS[i]));
row('', SERVERS.map((_s, i) => (SERVERS.length > 1 ? `[${i}]${values.flags ? ` ${FLAGS[i].join(' ')}` : ''}` : 'now')), 'target');
row('one-line edit → fresh diagnostics: p50', edits.map((e) => fmt(e.all, 50)), '< 20 ms');
row('one-line edit → fresh diagnostics: p99', edits.map((e) => fmt(e.all, 99)), '< 50 ms');
row(`  inert edits (comments, counters, whitespace): p50`, edits.map((e) => `${fmt(e.inert, 50)}`), `(${edits[0].inert.length} of ${EDITS})`);
row(`  inert edits: p99`, edits.map((e) => fmt(e.inert, 99)));
row(`  edits that change the model: p50`, edits.map((e) => fmt(e.other, 50)), `(${edits[0].other.length} of ${EDITS})`);
row(`  edits that change the model: p99`, edits.map((e) => fmt(e.other, 99)));
row('server CPU time per edit (all threads): p50', edits.map((e) => fmt(e.cpu, 50)));
row('server CPU time per edit: p99', edits.map((e) => fmt(e.cpu, 99)));
row('  edits that change the model: CPU p50', edits.map((e) => fmt(e.cpuOther, 50)));
row('  edits that change the model: CPU p99', edits.map((e) => fmt(e.cpuOther, 99)));
row('edit sent during the previous edit\'s analysis → its diagnostics: p50', during.map((e) => fmt(e.ms, 50)), '(20 pairs)');
row('  p99', during.map((e) => fmt(e.ms, 99)));
row('  server CPU from the second edit to its diagnostics: p50', during.map((e) => fmt(e.cpu, 50)));
row('200-edit burst → final diagnostics after the last edit (worst of 2)', bursts.map((b) => `${Math.max(...b.map((x) => x.lag)).toFixed(0)} ms`), '< 2000 ms');
row('server RSS after the burst', bursts.map((b) => `${Math.max(...b.map((x) => x.rss)).toFixed(0)} MB`), '< 200 MB');
