#!/usr/bin/env node
// The exposure walk on the corpus's largest ruleset (tum-net, as iptables-save and as nftables), in process:
// parse, exposure walk, checks on a given exposure, and the incremental case (one-line edit, analysed with the
// previous analysis's cache) against a fresh walk of the same edited text. CPU time (user + system) of this
// process, medians: the machine is shared, and CPU time is steadier than wall time under load.
// BASE=<checkout with out/> adds the same figures for that build (e.g. main), interleaved run by run.
// Needs a build (npx tsc -p .) and ../shared/corpus. Usage: node bench/exposure-walk.mjs [runs]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const corpus = path.resolve(root, '../shared/corpus');
const cases = [
  ['iptables', path.join(corpus, 'iptables/tum-net-2015-09-03.rules'), 50],
  ['nftables', path.join(corpus, 'nftables-translated/tum-net-2015-09-03.nft'), 60],
];
if (!fs.existsSync(cases[0][1])) {
  console.log('corpus not found: nothing to measure');
  process.exit(0);
}
const runs = Number(process.argv[2] ?? 7);
const builds = [['this', root], ...(process.env.BASE ? [['base', path.resolve(process.env.BASE)]] : [])].map(([name, dir]) => {
  const out = (p) => require(path.join(dir, 'out/server/src', p));
  return {
    name,
    formats: out('formats/registry.js'),
    exposure: out('analysis/exposure.js'),
    checks: out('analysis/index.js'),
    settings: out('analysis/settings.js').resolveSettings({}),
  };
});
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const time = (f) => {
  const t = cpu();
  const v = f();
  return [cpu() - t, v];
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/** A seeded one-line edit of a rule line: a digit changed. */
function edited(text, seed) {
  const lines = text.split('\n');
  const rules = lines.flatMap((l, i) => (/^\s*-A |\b(accept|drop)\b/.test(l) && /\d/.test(l) ? [i] : []));
  const i = rules[(seed * 7919) % rules.length];
  const digits = [...lines[i].matchAll(/\d/g)];
  const d = digits[(seed * 31) % digits.length];
  lines[i] = lines[i].slice(0, d.index) + String((Number(d[0]) + 1) % 10) + lines[i].slice(d.index + 1);
  return lines.join('\n');
}

const rows = [];
for (const [id, file, target] of cases) {
  const text = fs.readFileSync(file, 'utf8');
  const figures = new Map(builds.map((b) => [b.name, { parse: [], exposure: [], checks: [], all: [], cached: [], fresh: [] }]));
  for (let k = 0; k < runs + 2; k++) {
    for (const b of builds) {
      const fmt = b.formats.formatById(id);
      const parse = (t) => fmt.parse(t, { path: file, resolveService: () => undefined });
      const f = figures.get(b.name);
      const [tp, rs] = time(() => parse(text));
      const [te] = time(() => b.exposure.analyseExposure(rs));
      // The analysis on a parse of its own (rules carry per-rule memos): its parse is not timed a second time.
      const fresh = parse(text);
      const [ta] = time(() => b.checks.analyse(fresh, text, b.settings, fmt.comment));
      // Checks alone: every check over a ready exposure.
      const ex = b.exposure.analyseExposure(rs);
      const [tc] = time(() => b.checks.CHECKS.flatMap((check) => check({ ruleset: rs, exposure: ex, settings: b.settings })));
      if (k >= 2) {
        f.parse.push(tp);
        f.exposure.push(te);
        f.checks.push(tc);
        f.all.push(tp + ta);
      }
      if (b.exposure.createExposureCache && k >= 2) {
        // Incremental: the previous text analysed with the cache, then the edited one with the same cache.
        const cache = b.exposure.createExposureCache();
        b.exposure.analyseExposure(parse(text), cache);
        const next = parse(edited(text, k));
        f.cached.push(time(() => b.exposure.analyseExposure(next, cache))[0]);
        f.fresh.push(time(() => b.exposure.analyseExposure(parse(edited(text, k))))[0]);
      }
    }
  }
  for (const b of builds) {
    const f = figures.get(b.name);
    const ms = (xs) => (xs.length ? median(xs).toFixed(1) : '–');
    rows.push({
      format: id,
      build: b.name,
      'parse ms': ms(f.parse),
      'exposure ms': ms(f.exposure),
      'checks ms': ms(f.checks),
      'parse+analyse ms': ms(f.all),
      target: `< ${target}`,
      'edit: cached walk ms (p50/p99)': f.cached.length ? `${ms(f.cached)} / ${pct(f.cached, 99).toFixed(1)}` : '–',
      'edit: fresh walk ms': ms(f.fresh),
    });
  }
}
console.log(`exposure walk, CPU ms, median of ${runs} (cached: one-line edit re-analysed with the previous cache)`);
console.table(rows);
