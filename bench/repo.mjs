// `portcullis check` over a generated 1,000-file repository (scripts/gen-repo.mjs: every format, corpus sizes),
// whole process, serial (--jobs 1) and on a worker thread per core interleaved; medians of 3, with CPU time (every
// thread) beside wall time, which a busy machine makes noisy. The load average at the start is printed.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORPUS, generateRepo } from '../scripts/gen-repo.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(REPO, 'dist/cli.js');
const RUNS = 3;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const row = (name, value, note = '') => console.log(`${name.padEnd(60)} ${value.padStart(10)}   ${note}`);

if (!fs.existsSync(CORPUS)) {
  row('check over a generated 1,000-file repository', 'skipped', '(../shared/corpus absent)');
  process.exit(0);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-repo-'));
try {
  const repo = generateRepo(path.join(tmp, 'repo'), { seed: 1, count: 1000 });
  console.log(`load average ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} cores`);
  console.log(`repository: ${repo.files} files, ${(repo.bytes / 1e6).toFixed(1)} MB (median ${repo.p50} B, p90 ${repo.p90} B, ` +
    `largest ${repo.max} B); ${Object.entries(repo.formats).map(([f, n]) => `${f} ${n}`).join(', ')}`);
  // The default is one of these two: threads only on idle cores (os.loadavg), so both are measured explicitly.
  const cores = os.availableParallelism();
  const variants = { 'serial (--jobs 1)': ['--jobs', '1'], [`worker threads (--jobs ${cores})`]: ['--jobs', String(cores)] };
  const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  const cpu = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  // Reports the child's CPU time (every thread) and peak RSS when it exits: wall time alone is noisy on a shared machine.
  const probe = path.join(tmp, 'usage.cjs');
  fs.writeFileSync(probe, "process.on('exit', () => { const u = process.resourceUsage(); process.stderr.write(`usage ${(u.userCPUTime + u.systemCPUTime) / 1000} ${u.maxRSS}\\n`); });\n");
  for (let i = 0; i < RUNS; i++) {
    for (const [name, extra] of Object.entries(variants)) {
      const t = performance.now();
      const args = ['-r', probe, CLI, 'check', '--format', 'json', ...extra, path.join(tmp, 'repo')];
      const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 600_000 });
      times[name].push(performance.now() - t);
      const m = [...r.stderr.matchAll(/usage ([\d.]+) (\d+)/g)].at(-1); // the main thread exits last
      cpu[name].push({ ms: Number(m?.[1]), kb: Number(m?.[2]) });
      if (r.status !== 0 && r.status !== 1) throw new Error(`check exited ${r.status}`);
    }
  }
  for (const [name, xs] of Object.entries(times)) {
    const cpuMs = median(cpu[name].map((u) => u.ms));
    const rss = median(cpu[name].map((u) => u.kb)) / 1024;
    row(`check --format json, 1,000 files, ${name}`, `${(median(xs) / 1000).toFixed(2)} s`, `target < 2 s; CPU ${(cpuMs / 1000).toFixed(2)} s, peak RSS ${rss.toFixed(0)} MB`);
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
