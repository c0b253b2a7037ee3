// `portcullis check` over a generated 1,000-file repository (scripts/gen-repo.mjs: every format, corpus sizes),
// whole process, serial (--jobs 1) and on one thread per core (the main thread and workers), interleaved; medians of
// 3, with CPU time (every thread of the process) and peak RSS beside wall time, which a busy machine makes noisy.
// Then where the time goes: each format's share of the in-process analysis (compiled sources in out/, a warm pass).
//   node bench/repo.mjs [--against OTHER/cli.js] [--count N] [--runs N] [--repo DIR]
// --against interleaves another build (e.g. a copy of main's dist/) as "old", A/B/A/B; --repo DIR reuses a repository
// generated before (`node scripts/gen-repo.mjs DIR`) instead of writing one.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORPUS, generateRepo } from '../scripts/gen-repo.mjs';
import { median, out } from './lib.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(REPO, 'dist/cli.js');
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg('--runs') ?? 3);
const COUNT = Number(arg('--count') ?? 1000);
const OLD = arg('--against') && path.resolve(arg('--against'));
const row = (name, value, note = '') => console.log(`${name.padEnd(60)} ${value.padStart(10)}   ${note}`);

if (!fs.existsSync(CORPUS)) {
  row('check over a generated 1,000-file repository', 'skipped', '(../shared/corpus absent)');
  process.exit(0);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-repo-'));
try {
  const dir = arg('--repo') ? path.resolve(arg('--repo')) : path.join(tmp, 'repo');
  console.log(`load average ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} cores`);
  if (!arg('--repo')) {
    const repo = generateRepo(dir, { seed: 1, count: COUNT });
    console.log(`repository: ${repo.files} files, ${(repo.bytes / 1e6).toFixed(1)} MB (median ${repo.p50} B, p90 ${repo.p90} B, ` +
      `largest ${repo.max} B); ${Object.entries(repo.formats).map(([f, n]) => `${f} ${n}`).join(', ')}`);
  }
  // The default is one of these two: threads only on idle cores (os.loadavg), so both are measured explicitly.
  const cores = String(os.availableParallelism());
  const variants = [];
  for (const [build, cli] of [['', CLI], ...(OLD ? [['old ', OLD]] : [])]) {
    variants.push({ name: `${build}serial (--jobs 1)`, cli, extra: ['--jobs', '1'] });
    variants.push({ name: `${build}threads (--jobs ${cores})`, cli, extra: ['--jobs', cores] });
  }
  // Reports the child's CPU time (every thread), peak RSS and, on Linux, the main thread's CPU time when it exits: wall
  // time alone is noisy on a shared machine, and V8's compiler and collector threads use about as much CPU as the main one.
  const probe = path.join(tmp, 'usage.cjs');
  fs.writeFileSync(
    probe,
    'const fs = require("node:fs");\n' +
      'const mainMs = () => { try { const f = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8").split(") ")[1].split(" ");' +
      ' return (Number(f[11]) + Number(f[12])) * 10; } catch { return NaN; } };\n' +
      "process.on('exit', () => { const u = process.resourceUsage(); " +
      'process.stderr.write(`usage ${(u.userCPUTime + u.systemCPUTime) / 1000} ${u.maxRSS} ${mainMs()}\\n`); });\n',
  );
  const outputs = new Map();
  for (let i = 0; i < RUNS; i++) {
    for (const v of variants) {
      const t = performance.now();
      const args = ['-r', probe, v.cli, 'check', '--format', 'json', ...v.extra, dir];
      const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 30, timeout: 600_000 });
      if (r.status !== 0 && r.status !== 1) throw new Error(`${v.name}: check exited ${r.status}: ${r.stderr}`);
      const m = [...r.stderr.matchAll(/usage ([\d.]+) (\d+) ([\d.]+|NaN)/g)].at(-1); // the main thread exits last
      (v.runs ??= []).push({ ms: performance.now() - t, cpu: Number(m?.[1]), kb: Number(m?.[2]), main: Number(m?.[3]) });
      outputs.set(v.name, r.stdout);
    }
  }
  for (const v of variants) {
    const cpuMs = median(v.runs.map((u) => u.cpu));
    const rss = median(v.runs.map((u) => u.kb)) / 1024;
    const wall = median(v.runs.map((u) => u.ms));
    const main = median(v.runs.map((u) => u.main));
    row(`check --format json, ${arg('--repo') ? path.basename(dir) : `${COUNT} files`}, ${v.name}`, `${(wall / 1000).toFixed(2)} s`,
      `target < 2 s; CPU ${(cpuMs / 1000).toFixed(2)} s (main thread ${(main / 1000).toFixed(2)} s), peak RSS ${rss.toFixed(0)} MB`);
  }
  const same = new Set(outputs.values()).size === 1;
  row('  output of every variant byte-identical', same ? 'yes' : 'NO');
  shares(dir);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

/** Each format's share of the in-process analysis (read, parse, analyse), on a second, warm pass over the repository. */
function shares(dir) {
  if (!fs.existsSync(path.join(REPO, 'out/server/src/cli/analyse-file.js'))) {
    row('per-format shares', 'skipped', '(needs npx tsc -p .)');
    return;
  }
  const { analyseFile, ConfigCache } = out('cli/analyse-file.js');
  const files = [...out('cli/inputs.js').inputs([dir])].filter((i) => i.kind === 'file');
  const configs = new ConfigCache();
  let by;
  for (let pass = 0; pass < 2; pass++) {
    by = new Map();
    for (const f of files) {
      const t = performance.now();
      analyseFile(f.path, f.format, configs, 'hint');
      const b = by.get(f.format.id) ?? by.set(f.format.id, { files: 0, ms: 0 }).get(f.format.id);
      b.files++;
      b.ms += performance.now() - t;
    }
  }
  const total = [...by.values()].reduce((n, b) => n + b.ms, 0);
  row('in-process analysis of every file, warm', `${total.toFixed(0)} ms`);
  for (const [id, b] of [...by].sort((a, b) => b[1].ms - a[1].ms))
    row(`  ${id} (${b.files} files)`, `${b.ms.toFixed(0)} ms`, `${((100 * b.ms) / total).toFixed(0)} %, ${(b.ms / b.files).toFixed(1)} ms per file`);
}
