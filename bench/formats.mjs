#!/usr/bin/env node
// Parse + analysis time (median of 7) and hover p99 over every port token, for the largest corpus file of each
// format. Needs a build (npx tsc -p .) and ../shared/corpus. Usage: node bench/formats.mjs
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyseText, corpus, formatById, median, out, settings } from './lib.mjs';

const { hoverAt } = out('features/hover.js');
if (!fs.existsSync(corpus)) {
  console.log(`corpus not found at ${corpus}: nothing to measure`);
  process.exit(0);
}
const largest = (dirs, filter) => {
  const files = dirs.flatMap((d) => (fs.existsSync(path.join(corpus, d)) ? fs.readdirSync(path.join(corpus, d)).filter(filter).map((f) => path.join(corpus, d, f)) : []));
  return files.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
};
const cases = [
  ['iptables', largest(['iptables'], (f) => f.endsWith('.rules'))],
  ['nftables', largest(['nftables-translated', 'nftables'], (f) => !f.endsWith('.md'))],
  ['pf', largest(['pf'], (f) => !f.endsWith('.md'))],
  ['firewalld', largest(['firewalld/zones'], (f) => f.endsWith('.xml'))],
];
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
const rows = [];
for (const [id, file] of cases) {
  if (!file) continue;
  const text = fs.readFileSync(file, 'utf8');
  const format = formatById(id);
  const times = [];
  let fa;
  for (let k = 0; k < 7; k++) {
    const t0 = process.hrtime.bigint();
    fa = analyseText(text, format, file, settings);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const positions = [];
  for (const chain of fa.ruleset.tables.flatMap((t) => t.chains)) {
    for (const rule of chain.rules) {
      for (const c of rule.conditions) if (c.kind === 'dport' || c.kind === 'sport' || c.kind === 'port') for (const i of c.items) positions.push(i.range.start);
    }
  }
  const hover = [];
  for (const pos of positions) {
    const t0 = process.hrtime.bigint();
    hoverAt(fa, pos, settings);
    hover.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  rows.push({ format: id, file: path.relative(corpus, file), lines: text.split('\n').length, rules: fa.ruleset.tables.flatMap((t) => t.chains).reduce((n, c) => n + c.rules.length, 0), 'parse+analyse ms (median of 7)': median(times).toFixed(1), 'port tokens': positions.length, 'hover p99 ms': pct(hover, 99).toFixed(2) });
}
console.table(rows);
