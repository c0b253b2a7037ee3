/**
 * Bounded fuzzing of every registered format (a new format in formats/registry.ts is included automatically):
 * random bytes and mutated corpus lines through parse, analysis, hover, code actions, completion and symbols,
 * each input under a time bound and the worker under a heap bound. `node scripts/fuzz.mjs` runs long campaigns.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { FORMATS } from '../../../server/src/formats/registry';
import { runFuzz } from '../../support/fuzz';

const SEED = 20261206;
const COUNT = 3000;

test(`fuzz: ${COUNT} inputs (seed ${SEED}) over every format: no exception, no internal error, none over 1 s`, async () => {
  const report = await runFuzz({ seed: SEED, count: COUNT, slowMs: 1000, hangMs: 10_000, heapMb: 512 });
  const detail = report.failures.map((f) => `#${f.index} ${f.format} ${f.kind}: ${f.message}\n  ${f.input.slice(0, 300)}`).join('\n');
  console.log(`fuzz seed ${SEED}: ${report.done} inputs, slowest ${report.maxMs.toFixed(0)} ms, p99 ${report.p99Ms.toFixed(1)} ms`);
  assert.equal(report.done, COUNT, detail);
  for (const f of FORMATS) assert.ok((report.perFormat[f.id] ?? 0) > 0, `format ${f.id} was fuzzed`);
  assert.equal(report.exceptions, 0, detail);
  assert.equal(report.internalErrors, 0, detail);
  assert.equal(report.hangs + report.heapFailures, 0, detail);
  assert.equal(report.slow, 0, detail);
});
