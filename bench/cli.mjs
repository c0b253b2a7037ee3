// Whole-process CLI time against the kernel's own tools on the same files, interleaved in one run:
//   portcullis check --format json   vs   iptables-restore --test   (largest iptables ruleset)
//   portcullis check --format json   vs   nft -c -f                 (the same ruleset translated to nftables)
// The kernel tools run in a fresh network namespace (unshare -n), so nothing on this machine changes; they
// need root and are skipped with a message otherwise. Then start-up: `--version` and a one-file check against
// node's own start (`node -e 0`). Medians of 7 runs each; CPU time (all threads) beside wall time, since wall
// time on a shared machine is noisy. `--against OTHER/cli.js` interleaves another build (e.g. main's) as "old".
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = path.resolve(REPO, '../shared/corpus');
const CLI = path.join(REPO, 'dist/cli.js');
const RUNS = 7;
const againstAt = process.argv.indexOf('--against');
const OLD = againstAt > 0 ? path.resolve(process.argv[againstAt + 1]) : undefined;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const row = (name, value, note = '') => console.log(`${name.padEnd(60)} ${value.padStart(10)}   ${note}`);

function timed(cmd, args) {
  const t = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 120_000 });
  const usage = [...(r.stderr ?? '').matchAll(/^cpu-ms (\d+(?:\.\d+)?)$/gm)].at(-1);
  return { ms: performance.now() - t, cpu: usage ? Number(usage[1]) : NaN, status: r.status, stderr: r.stderr };
}

const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const root = process.getuid?.() === 0 && have('unshare');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-bench-cli-'));
// Preloaded into the node runs: reports the process's CPU time (every thread) as it exits.
const cpuProbe = path.join(tmp, 'cpu.cjs');
fs.writeFileSync(cpuProbe, "process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write(`\\ncpu-ms ${(u.user + u.system) / 1000}\\n`); });\n");
const node = (cli, args) => timed(process.execPath, ['-r', cpuProbe, ...(cli ? [cli] : []), ...args]);
const fmt = (xs, key) => `${median(xs.map((x) => x[key])).toFixed(0)} ms`;
try {
  const pairs = [
    // The corpus anonymised its MAC addresses as XX:…, which iptables-restore rejects: use a valid one.
    { file: 'iptables/tum-net-2015-09-03.rules', tool: 'iptables-restore', args: (f) => ['-n', 'iptables-restore', '--test', f] },
    { file: 'nftables-translated/tum-net-2015-09-03.nft', tool: 'nft', args: (f) => ['-n', 'nft', '-c', '-f', f] },
  ];
  for (const { file, tool, args } of pairs) {
    const src = path.join(CORPUS, file);
    if (!fs.existsSync(src)) {
      row(file, 'skipped', '(../shared/corpus absent)');
      continue;
    }
    const copy = path.join(tmp, path.basename(file));
    fs.writeFileSync(copy, fs.readFileSync(src, 'utf8').replace(/XX:XX:XX:XX:XX:XX/g, '02:00:00:00:00:01'));
    const ours = [];
    const theirs = [];
    const kernelOk = root && have(tool) && timed('unshare', args(copy)).status === 0;
    const old = [];
    for (let i = 0; i < RUNS; i++) {
      ours.push(node(CLI, ['check', '--format', 'json', copy]));
      if (OLD) old.push(node(OLD, ['check', '--format', 'json', copy]));
      if (kernelOk) theirs.push(timed('unshare', args(copy)).ms);
    }
    const oldNote = OLD ? `; old ${fmt(old, 'ms')}, CPU ${fmt(old, 'cpu')}` : '';
    row(`portcullis check --format json ${path.basename(file)}`, fmt(ours, 'ms'), `CPU ${fmt(ours, 'cpu')}${oldNote}`);
    if (kernelOk) {
      row(`${tool} ${tool === 'nft' ? '-c' : '--test'} (fresh netns)`, `${median(theirs).toFixed(0)} ms`);
      row('  ratio portcullis / kernel tool', `${(median(ours.map((r) => r.ms)) / median(theirs)).toFixed(1)}x`, 'target ≤ 2x');
    } else row(`${tool} comparison`, 'skipped', root ? `(${tool} missing or rejected the file)` : '(needs root for unshare -n)');
  }
  // Start-up: what a command costs before and around its work, against node's own start.
  const small = path.join(REPO, 'test/fixtures/samples/web-server.rules');
  const cases = [
    ['node -e 0 (node itself)', null, ['-e', '0']],
    ['portcullis --version', CLI, ['--version']],
    ['portcullis check <one 20-line file>', CLI, ['check', small]],
  ];
  if (OLD) cases.splice(2, 0, ['old --version', OLD, ['--version']]), cases.push(['old check <one 20-line file>', OLD, ['check', small]]);
  const results = cases.map(() => []);
  for (let i = 0; i < RUNS; i++) cases.forEach(([, cli, a], k) => results[k].push(node(cli, a)));
  cases.forEach(([name], k) => row(name, fmt(results[k], 'ms'), `CPU ${fmt(results[k], 'cpu')}`));
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
