/** Where the language server analyses a large document, and the worker thread stopped when idle. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { ThreadChoice } from '../../../server/src/scheduling/thread-choice';
import { SUPERSEDED, WorkerPool } from '../../../server/src/scheduling/worker-pool';

test('ThreadChoice: here at open, then unless two runs in a row had a step over the budget', () => {
  const t = new ThreadChoice(200, 1000);
  assert.equal(t.here('a', 500, true), true, 'first analysis (open)');
  assert.equal(t.here('a', 500, false), false, 'the worker has a job: not here');
  assert.equal(t.here('a', 1001, true), false, 'over the length limit: always the worker');
  t.analysedHere('a', 900);
  assert.equal(t.here('a', 500, true), true, 'the first run was cold: one more here');
  t.analysedHere('a', 300);
  assert.equal(t.here('a', 500, true), true, 'the second run was over the budget: still here');
  t.analysedHere('a', 150);
  assert.equal(t.here('a', 500, true), true, 'within the budget');
  t.analysedHere('a', 300);
  assert.equal(t.here('a', 500, true), true, 'one step over the budget: still here');
  t.analysedHere('a', 100);
  t.analysedHere('a', 300);
  assert.equal(t.here('a', 500, true), true, 'the runs over the budget were not in a row');
  t.analysedHere('a', 300);
  assert.equal(t.here('a', 500, true), false, 'two runs in a row over the budget: the worker');
  assert.equal(t.here('b', 500, true), true, 'per document');
  t.forget('a');
  assert.equal(t.here('a', 500, true), true);
});

test('WorkerPool: the worker stops after its idle time and a later job starts a fresh one', async () => {
  const pool = new WorkerPool(undefined, 256, 150);
  const job = { text: '*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 3389 -j ACCEPT\nCOMMIT\n', formatId: 'iptables', path: 'x.rules', settings: {} };
  try {
    const first = await pool.analyse('a', job);
    assert.notEqual(first, SUPERSEDED);
    assert.ok(first !== SUPERSEDED && first.findings.some((f) => f.code === 'PC101'), 'analysed in the worker');
    assert.equal(pool.started, true);
    const deadline = Date.now() + 5000;
    while (pool.started && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    assert.equal(pool.started, false, 'stopped once idle');
    const again = await pool.analyse('a', job);
    assert.ok(again !== SUPERSEDED && again.findings.some((f) => f.code === 'PC101'), 'a fresh worker takes the next job');
  } finally {
    pool.dispose();
  }
});
