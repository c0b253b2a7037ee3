/**
 * Oracle 1: Portcullis's exposure against the verified analyser's outputs (../shared/corpus/iptables-golden).
 * Counts are those established in docs/golden-agreement.md; a row that agreed and stops agreeing fails.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { HAVE_CORPUS, NO_CORPUS } from '../../support/corpus';
import { FFFUU, SIMPLIFIED_PORTS, matrixRows, simplifiedFiles, simplifiedRows } from './agreement';

const skip = !HAVE_CORPUS && NO_CORPUS;

test('fffuu service matrices: every comparable matrix agrees exactly (sources that can reach the port)', { skip }, () => {
  const rows = matrixRows();
  assert.equal(rows.length, 9, 'synology 3 + i8 2 + sqrl 2 + parser_test 2 matrices');
  const comparable = rows.filter((r) => r.relation !== undefined);
  // sqrl's matrices are for raw/PREROUTING, which the exposure analysis does not model.
  assert.deepEqual(
    rows.filter((r) => r.relation === undefined).map((r) => `${r.ruleset} ${r.port}`),
    ['sqrl-shorewall-2015-spoofing.rules 22', 'sqrl-shorewall-2015-spoofing.rules 80'],
  );
  assert.equal(comparable.length, 7);
  for (const r of comparable)
    assert.equal(
      r.relation,
      'equal',
      `${r.ruleset} ${r.chain} TCP ${r.port}: ours ${r.ours?.join(' ')} vs fffuu ${r.golden_sources.join(' ')}`,
    );
  // With fffuu's own interface assignment (i8 / ipassmt_tumi8) applied to our per-interface grants: still equal.
  for (const r of comparable.filter((x) => x.relationAssigned))
    assert.equal(r.relationAssigned, 'equal', `${r.ruleset} ${r.port} (assigned)`);
  assert.equal(new Set(comparable.map((r) => r.ruleset)).size, 3);
  assert.equal(FFFUU.length, 4);
});

test('fffuu FORWARD matrices: the internet (class b) reaches, per us, at least the destinations fffuu lists', { skip }, () => {
  const rows = matrixRows().filter((r) => r.internet);
  assert.equal(rows.length, 4, 'i8 22/80, parser_test 22/80');
  for (const r of rows) assert.ok(r.internet!.oursCovers, `${r.ruleset} ${r.port}`);
});

test('simplified rulesets: ours ⊇ lower closure everywhere; ours ⊆ upper closure under the same interface assignment', { skip }, () => {
  const files = simplifiedFiles();
  assert.equal(files.length, 23, 'rulesets × chain');
  const rows = simplifiedRows();
  assert.equal(rows.length, 23 * SIMPLIFIED_PORTS.length);
  // Soundness: anything the lower closure accepts, the real ruleset accepts, so we must report it.
  const missing = rows.filter((r) => !r.coversLower).map((r) => `${r.ruleset} ${r.chain} ${r.port}: missing ${r.missing.join(' ')}`);
  assert.deepEqual(missing, []);
  // Precision: with input interfaces read through the assignment fffuu used, we claim no more than upper.
  const excess = rows
    .filter((r) => (r.withinUpperAssigned ?? r.withinUpper) === false)
    .map((r) => `${r.ruleset} ${r.chain} ${r.port}: excess ${r.excess.join(' ')}`);
  assert.deepEqual(excess, []);
  // Without the assignment, the only differences are rulesets whose simplification rewrote `-i X` into
  // `-s assignment(X)`: we (rightly) assume any source may arrive on X.
  const raw = [...new Set(rows.filter((r) => !r.withinUpper).map((r) => `${r.ruleset} ${r.chain}`))].sort();
  assert.deepEqual(raw, ['home-user FORWARD', 'medium-sized-company FORWARD', 'medium-sized-company INPUT', 'openvpn-eu FORWARD']);
  assert.equal(rows.filter((r) => !r.withinUpper).length, 17);
});
