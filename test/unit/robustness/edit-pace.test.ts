/** The language server's adaptive debounce: at once when idle and quick, a pause-length wait inside bursts. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { Debouncer, EditPace } from '../../../server/src/scheduling/debounce';

test('EditPace: idle and quick → at once; bursts and slow analyses → wait, never more than 150 ms', () => {
  let now = 0;
  const pace = new EditPace(50, 150, 20, () => now);
  assert.equal(pace.edited('a'), 150, 'nothing known about the cost yet');
  pace.analysed('a', 5);
  now += 1000;
  assert.equal(pace.edited('a'), 0, 'idle document, quick analysis: at once');
  now += 10;
  assert.equal(pace.edited('a'), 20, 'inside a burst: the shortest wait');
  pace.analysed('a', 40);
  now += 10;
  assert.equal(pace.edited('a'), 80, 'twice the last analysis');
  pace.analysed('a', 400);
  now += 1000;
  assert.equal(pace.edited('a'), 150, 'idle but slow: still debounced, capped');
  now += 1000;
  assert.equal(pace.edited('a', true), 0, 'idle, slow, but the analysis can be stopped by the next edit: at once');
  now += 10;
  assert.equal(pace.edited('a', true), 150, 'inside a burst: debounced even so');
  assert.equal(pace.edited('b'), 150, 'per document');
  pace.forget('a');
  assert.equal(pace.edited('a'), 150);
});

test('Debouncer: a burst runs once, after the last request; a delay of 0 runs at once', async () => {
  const d = new Debouncer();
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) d.schedule('k', () => runs.push(i), 30);
  assert.ok(d.pending('k'));
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(runs, [4]);
  d.schedule('k', () => runs.push(9), 30);
  d.schedule('k', () => runs.push(10), 0);
  assert.deepEqual(runs, [4, 10], 'the pending run was replaced by the immediate one');
  assert.ok(!d.pending('k'));
});
