#!/usr/bin/env node
// Language server cold start (not a timed test; prints figures and targets): a fresh server process per run,
// started as an editor starts it (node with server/src/node-flags.json's flags, dist/server.js --stdio), LSP initialize, then the
// file opened; times spawn → initialize answered, open → diagnostics published, and the whole spawn → diagnostics,
// and the process's resident memory (VmRSS, worker thread included) once the diagnostics are out.
// Files: the largest iptables ruleset of the corpus (analysed in the worker thread) and the largest Terraform file.
// BENCH_SERVER=/other/dist/server.js adds a second server, run interleaved (A/B/A/B) for a side-by-side ratio;
// BENCH_NODE_FLAGS (default: server/src/node-flags.json's) and BENCH_NODE_FLAGS_B set node's flags for each.
// CPU time (user + system, worker included; /proc ticks of 10 ms) is printed beside wall time for each stage: it says
// more on a busy machine.
// Targets (issue 15): open tum-net → diagnostics < 150 ms, RSS with it open < 60 MB.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = path.resolve(REPO, '../shared/corpus');
const RUNS = Number(process.env.BENCH_RUNS || 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const largestOf = (dir, ext) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];

const files = [
  { file: path.join(CORPUS, 'iptables/tum-net-2015-09-03.rules'), languageId: 'iptables', target: 150 },
  {
    file: fs.existsSync(path.join(CORPUS, 'terraform')) ? largestOf(path.join(CORPUS, 'terraform'), '.tf') : undefined,
    languageId: 'terraform',
  },
].filter((f) => f.file && fs.existsSync(f.file));
if (!files.length) {
  console.log(`server start: ${CORPUS} not found: skipped`);
  process.exit(0);
}

/** CPU time (user + system, every thread) the process has used so far, in ms (clock ticks of 10 ms). */
const cpuMs = (pid) => {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(stat[11]) + Number(stat[12])) * 1000) / 100;
};

const rssMb = (pid) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};

/** One cold start: spawn, initialize, open `file`, wait for its diagnostics; bounded by a 60 s timeout. */
async function coldStart(server, flags, { file, languageId }) {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [...flags, server, '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const uri = pathToFileURL(file).href;
  let published;
  const diagnostics = new Promise((r) => (published = r));
  conn.onNotification('textDocument/publishDiagnostics', (p) => p.uri === uri && published(p));
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => ({})));
  conn.onRequest('client/registerCapability', () => null);
  conn.listen();
  const timeout = setTimeout(() => proc.kill(), 60_000);
  try {
    await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { workspace: { configuration: true } } });
    const initialized = performance.now();
    const idleRss = rssMb(proc.pid);
    const initCpu = cpuMs(proc.pid);
    await conn.sendNotification('initialized', {});
    const opened = performance.now();
    const text = fs.readFileSync(file, 'utf8');
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
    const d = await diagnostics;
    const done = performance.now();
    const rss = rssMb(proc.pid);
    const cpu = cpuMs(proc.pid);
    // A hover makes the server keep the document's full analysis on its main thread, as in an editor in use.
    const hovered = performance.now();
    await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
    const hover = performance.now() - hovered;
    const hoverRss = rssMb(proc.pid);
    const hoverCpu = cpuMs(proc.pid) - cpu;
    await conn.sendRequest('shutdown');
    await conn.sendNotification('exit');
    return {
      init: initialized - t0,
      initCpu,
      open: done - opened,
      openCpu: cpu - initCpu,
      total: done - t0,
      idleRss,
      rss,
      hover,
      hoverRss,
      hoverCpu,
      cpu,
      count: d.diagnostics.length,
    };
  } finally {
    clearTimeout(timeout);
    conn.dispose();
    proc.kill();
  }
}

const flagsOf = (v) => (v ?? require('../server/src/node-flags.json').server.join(' ')).split(' ').filter(Boolean);
const servers = [['this build', path.join(REPO, 'dist/server.js'), flagsOf(process.env.BENCH_NODE_FLAGS)]];
if (process.env.BENCH_SERVER || process.env.BENCH_NODE_FLAGS_B)
  servers.push(['B', path.resolve(process.env.BENCH_SERVER ?? servers[0][1]), flagsOf(process.env.BENCH_NODE_FLAGS_B)]);
for (const f of files) {
  const kb = (fs.statSync(f.file).size / 1024).toFixed(0);
  console.log(`server cold start, ${path.relative(CORPUS, f.file)} (${kb} KB), median of ${RUNS}:`);
  const runs = servers.map(() => []);
  for (let i = 0; i < RUNS; i++) for (const [k, [, server, flags]] of servers.entries()) runs[k].push(await coldStart(server, flags, f));
  for (const [k, [name, server, flags]] of servers.entries()) {
    if (servers.length > 1) console.log(`  ${name}: ${path.relative(process.cwd(), server)} ${flags.join(' ')}`);
    const m = (key) => median(runs[k].map((r) => r[key]));
    const target = f.target ? ` (target < ${f.target} ms)` : '';
    console.log(
      `  ${name.padEnd(12)} spawn → initialized ${m('init').toFixed(0)} ms (CPU ${m('initCpu').toFixed(0)}); ` +
        `open → diagnostics ${m('open').toFixed(0)} ms (CPU ${m('openCpu').toFixed(0)})${target}; ` +
        `spawn → diagnostics ${m('total').toFixed(0)} ms (CPU ${m('cpu').toFixed(0)}); ${runs[k][0].count} diagnostics`,
    );
    console.log(`  ${''.padEnd(12)} first hover ${m('hover').toFixed(0)} ms (CPU ${m('hoverCpu').toFixed(0)})`);
    console.log(
      `  ${''.padEnd(12)} RSS: started ${m('idleRss').toFixed(1)} MB, diagnostics out ${m('rss').toFixed(1)} MB, ` +
        `after a hover ${m('hoverRss').toFixed(1)} MB (target < 60 MB)`,
    );
  }
}
