// Scaling figures: nested and wide user chains (10,000 of each), and file size (10 MB → 50 MB, the slope).
// Uses the compiled sources in out/. Each size runs in its own process so resident memory is its own.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (!fs.existsSync(path.join(REPO, 'out/test/support/big-rulesets.js'))) execFileSync('npx', ['tsc', '-p', REPO], { stdio: 'inherit' });
const out = (p) => path.join(REPO, 'out', p);
const row = (name, value, note = '') => console.log(`${name.padEnd(52)} ${value.padStart(12)}   ${note}`);

// Child mode: analyse one file, print {ms, rss} as JSON.
if (process.argv[2] === '--one') {
  const { analyseText } = require(out('server/src/pipeline.js'));
  const { iptablesFormat } = require(out('server/src/formats/iptables/index.js'));
  const { resolveSettings } = require(out('server/src/analysis/settings.js'));
  const text = fs.readFileSync(process.argv[3], 'utf8');
  const t = performance.now();
  const fa = analyseText(text, iptablesFormat, process.argv[3], resolveSettings({}));
  const ms = performance.now() - t;
  console.log(JSON.stringify({ ms, rss: process.memoryUsage().rss, findings: fa.findings.length }));
  process.exit(0);
}

const { deepChain, wideChains, replicate } = require(out('test/support/big-rulesets.js'));
const { parseIptables } = require(out('server/src/formats/iptables/parse.js'));
const { analyseExposure } = require(out('server/src/analysis/exposure.js'));
const ctx = { resolveService: () => undefined };
console.log(`scale bench — node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);

for (const [name, gen] of [['nested jumps (C0 → C1 → …)', deepChain], ['chains jumped to from INPUT', wideChains]]) {
  for (const n of [1250, 2500, 5000, 10000]) {
    const rs = parseIptables(gen(n), ctx);
    analyseExposure(rs); // warm-up
    const runs = [];
    const cpu = [];
    for (let k = 0; k < 3; k++) {
      const t = performance.now();
      const c = process.cpuUsage();
      analyseExposure(rs);
      runs.push(performance.now() - t);
      const d = process.cpuUsage(c);
      cpu.push((d.user + d.system) / 1000);
    }
    // CPU time beside wall time: on a shared machine the wall time also measures the neighbours.
    row(`exposure walk, ${n} ${name}`, `${Math.min(...runs).toFixed(0)} ms`, `CPU ${Math.min(...cpu).toFixed(0)} ms${n === 10000 ? ' (target well under 1 s)' : ''}`);
  }
}

const largest = path.resolve(REPO, '../shared/corpus/iptables/tum-net-2015-09-03.rules');
if (!fs.existsSync(largest)) {
  console.log(`scale bench: ${largest} not found (../shared/corpus absent): size scaling skipped`);
  process.exit(0);
}
const base = fs.readFileSync(largest, 'utf8');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-scale-'));
const results = [];
try {
  for (const mb of [10, 50]) {
    const file = path.join(dir, `big-${mb}.rules`);
    fs.writeFileSync(file, replicate(base, mb * 1024 * 1024));
    const size = fs.statSync(file).size;
    const r = JSON.parse(execFileSync(process.execPath, ['--max-old-space-size=8192', fileURLToPath(import.meta.url), '--one', file], { encoding: 'utf8', maxBuffer: 1 << 20 }));
    results.push({ size, ...r });
    row(`parse + full analysis, ${(size / 1048576).toFixed(0)} MB (copies of tum-net)`, `${(r.ms / 1000).toFixed(1)} s`, `RSS ${(r.rss / 1048576).toFixed(0)} MB`);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
const [a, b] = results;
row('time slope log(t50/t10) / log(size50/size10)', (Math.log(b.ms / a.ms) / Math.log(b.size / a.size)).toFixed(2), '1.00 = linear');
row('memory slope (RSS)', (Math.log(b.rss / a.rss) / Math.log(b.size / a.size)).toFixed(2));
