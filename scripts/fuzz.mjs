// Long fuzz run over every registered format: node scripts/fuzz.mjs [--seed N] [--count N] [--json FILE]
// Prints figures and the failing inputs (rebuildable from seed and index); exits 1 when anything failed.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { seed: { type: 'string' }, count: { type: 'string', default: '100000' }, json: { type: 'string' } }, strict: true });
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const count = Number(values.count);
if (!Number.isInteger(seed) || !Number.isInteger(count) || count < 1) {
  console.error('usage: node scripts/fuzz.mjs [--seed N] [--count N] [--json FILE]');
  process.exit(2);
}
if (!fs.existsSync(path.join(REPO, 'out/test/support/fuzz.js'))) execFileSync('npx', ['tsc', '-p', REPO], { stdio: 'inherit' });
const { runFuzz } = require(path.join(REPO, 'out/test/support/fuzz.js'));

console.log(`fuzz: seed ${seed}, ${count} inputs, node ${process.version}`);
const t0 = Date.now();
const report = await runFuzz({
  seed,
  count,
  onProgress: (done, r) => {
    if (done % 10000 === 0) console.log(`  ${done} inputs, ${((Date.now() - t0) / 1000).toFixed(0)} s, exceptions ${r.exceptions}, internal ${r.internalErrors}, slowest ${r.maxMs.toFixed(0)} ms`);
  },
});
const line = (k, v) => console.log(`${k.padEnd(28)} ${v}`);
line('seed', seed);
line('inputs run', `${report.done} of ${report.count}`);
line('per format', Object.entries(report.perFormat).map(([k, v]) => `${k} ${v}`).join(', '));
line('exceptions', report.exceptions);
line('internal-error findings', report.internalErrors);
line('hangs (killed)', report.hangs);
line('heap-limit failures', report.heapFailures);
line('inputs over 1 s', `${report.slow} (first runs over 1 s, run again: ${report.retimed})`);
line('slowest input', `${report.maxMs.toFixed(1)} ms (index ${report.maxIndex})`);
line('p99 per input', `${report.p99Ms.toFixed(2)} ms`);
line('wall time', `${((Date.now() - t0) / 1000).toFixed(0)} s`);
for (const r of report.retimedInputs) console.log(`re-timed #${r.index} ${r.format}: ${r.firstMs.toFixed(0)} ms, then ${r.ms.toFixed(0)} ms`);
for (const f of report.failures) console.log(`FAIL #${f.index} ${f.format} ${f.kind}: ${f.message}\n  input: ${f.input.slice(0, 400)}`);
if (values.json) fs.writeFileSync(values.json, JSON.stringify(report, null, 2));
const bad = report.exceptions + report.internalErrors + report.hangs + report.heapFailures + report.slow;
process.exit(bad ? 1 : 0);
