#!/usr/bin/env node
// Parse + analysis time of service-port files (target: under 20 ms each): the largest compose and Kubernetes
// files of ../shared/corpus and a generated 500-service compose file. Median of 15 runs after 5 warm-ups, as
// wall-clock time and as this process's CPU time (user + system, V8's collector and compiler threads included): on a shared
// machine the wall clock also counts the time spent waiting for a CPU, so the load average is printed too. Each
// run parses a text of its own (a trailing comment numbers it): the Kubernetes format keeps parsed manifests by path
// and text (a folder's files are read by each other), and a repeated text would measure that cache, not the parse.
// The YAML library's own share is printed beside: @stoplight/yaml-ast-parser's loadAll as formats/yaml/document.ts
// calls it, and readYaml (the library plus this project's node tree, ranges and problems). Each figure comes from a
// loop of its own, so that no measurement collects another's garbage.
// The whole measurement runs twice, each time in a node of its own: with node's default flags, and with the flags the
// language server runs with (server/src/node-flags.json: the shebang of dist/server.js passes them and the VS Code
// client does too: the size of V8's young generation). Garbage collection is much of the time here, and the young
// generation's size decides how much: both figures are printed side by side.
// Usage: node bench/service-ports.mjs
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyseText, corpus, formatById, median, out, require, settings } from './lib.mjs';

if (!process.argv.includes('--measure')) {
  const serverFlags = require('../server/src/node-flags.json').server.join(' ');
  const run = (flags) => JSON.parse(execFileSync(process.execPath, [...flags.split(' ').filter(Boolean), process.argv[1], '--measure'], { encoding: 'utf8' }));
  const plain = run('');
  const server = run(serverFlags);
  console.log(`service-port formats — node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`);
  const flagsColumn = `as the server runs (${serverFlags || 'no flags'}): parse+analysis ms (CPU)`;
  // Under 20 ms: the target, held against CPU time and wall time under both sets of flags.
  const under = (x) => ['parse+analysis ms (CPU)', 'parse+analysis ms (wall)'].map((k) => (Number(x[k]) < 20 ? 'yes' : 'no')).join('/');
  console.table(
    plain.map((r, i) => ({
      ...r,
      [flagsColumn]: `${server[i]['parse+analysis ms (CPU)']} (wall ${server[i]['parse+analysis ms (wall)']})`,
      'under 20 ms, CPU/wall: defaults | server flags': `${under(r)} | ${under(server[i])}`,
    })),
  );
  process.exit(0);
}

const { loadAll } = require('@stoplight/yaml-ast-parser');
const { readYaml } = out('formats/yaml/document.js');
/** The schema document.ts gives the library: no types, so it resolves no scalar and reports every tag. */
const schema = { compiledImplicit: [], compiledExplicit: [], compiledTypeMap: Object.create(null) };

const largest = (dir) => {
  const d = path.join(corpus, dir);
  if (!fs.existsSync(d)) return undefined;
  return fs.readdirSync(d).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(d, f)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
};

/** 500 services with a mix of short and long ports, loopback bindings, ranges, UDP and expose. */
function generated() {
  const lines = ['services:'];
  for (let i = 0; i < 500; i++) {
    lines.push(`  svc${i}:`, `    image: example/app:${i}`, '    ports:');
    lines.push(`      - "${10000 + i}:80"`, `      - "127.0.0.1:${20000 + i}:5432"`);
    if (i % 5 === 0) lines.push(`      - "${30000 + i * 10}-${30000 + i * 10 + 5}:${30000 + i * 10}-${30000 + i * 10 + 5}/udp"`);
    if (i % 7 === 0) lines.push('      - target: 6379', `        published: "${40000 + i}"`, '        host_ip: 0.0.0.0');
    lines.push('    expose:', '      - "9000"');
  }
  return lines.join('\n') + '\n';
}

const cases = [
  ['compose', largest('docker-compose')],
  ['kubernetes', largest('kubernetes')],
  ['compose', '(generated: 500 services)'],
].filter(([, f]) => f);
const rows = [];
for (const [id, file] of cases) {
  const base = file.startsWith('(') ? generated() : fs.readFileSync(file, 'utf8');
  const text = (k) => `${base}\n# bench run ${k}\n`;
  const format = formatById(id);
  const ctx = { path: file, resolveService: () => undefined };
  for (let k = 0; k < 5; k++) analyseText(text(-k - 1), format, file, settings);
  let fa;
  /** CPU ms (user + system, every thread: V8's collector and compiler threads too) and wall ms of fn. */
  const timed = (fn) => {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    fn();
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    const c = process.cpuUsage(c0);
    return { cpu: (c.user + c.system) / 1000, wall };
  };
  // Each figure from a loop of its own, so that one measurement's garbage is not collected inside another's.
  const runs = (fn) => Array.from({ length: 15 }, (_, k) => timed(() => fn(k)));
  const full = runs((k) => (fa = analyseText(text(k), format, file, settings)));
  const parse = runs((k) => format.parse(text(100 + k), ctx)).map((r) => r.wall);
  const lib = runs((k) => loadAll(text(200 + k), () => {}, { schema, ignoreDuplicateKeys: true })).map((r) => r.cpu);
  const tree = runs((k) => readYaml(text(300 + k), 'Compose file')).map((r) => r.cpu);
  const cpu = full.map((r) => r.cpu);
  const ms = median(cpu);
  rows.push({
    format: id, file: file.startsWith('(') ? file : path.relative(corpus, file), KiB: (base.length / 1024).toFixed(1),
    chains: fa.ruleset.tables.reduce((n, t) => n + t.chains.length, 0), findings: fa.findings.length,
    'parse ms (wall)': median(parse).toFixed(2), 'parse+analysis ms (wall)': median(full.map((r) => r.wall)).toFixed(2), 'parse+analysis ms (CPU)': ms.toFixed(2),
    'YAML library: loadAll / readYaml ms (CPU)': `${median(lib).toFixed(2)} / ${median(tree).toFixed(2)}`,
  });
}
console.log(JSON.stringify(rows));
