#!/usr/bin/env node
// Golden agreement report (oracle 1): Portcullis's exposure against the verified analyser's outputs in
// ../shared/corpus/iptables-golden. Runs on the compiled tree: `npx tsc -p . && node scripts/golden-report.mjs`.
// See docs/golden-agreement.md for how to read it.
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const modPath = path.join(root, 'out/test/unit/oracle/agreement.js');
if (!fs.existsSync(modPath)) {
  console.error('golden-report: out/ not built; run `npx tsc -p .` first');
  process.exit(2);
}
const { HAVE_CORPUS, NO_CORPUS } = require(path.join(root, 'out/test/support/corpus.js'));
if (!HAVE_CORPUS) {
  console.log(`golden-report: ${NO_CORPUS}`);
  process.exit(0);
}
const { matrixRows, simplifiedRows } = require(modPath);

const pad = (s, n) => String(s).padEnd(n);
console.log('fffuu service matrices (sources that may open a new TCP connection; union over interfaces)');
console.log(`${pad('ruleset', 36)}${pad('chain', 18)}${pad('port', 6)}${pad('ours vs fffuu', 16)}${pad('with ipassmt', 14)}internet (class b) destinations`);
const m = matrixRows();
for (const r of m) {
  const inet = r.internet ? `${r.internet.oursCovers ? 'covered' : 'NOT covered'} (${r.internet.goldenDestinations.length} ranges${r.internet.oursAnyDestination ? '; ours: some grant without -d' : ''})` : '';
  console.log(`${pad(r.ruleset, 36)}${pad(r.chain, 18)}${pad(r.port, 6)}${pad(r.relation ?? 'n/a', 16)}${pad(r.relationAssigned ?? '', 14)}${inet}${r.note ? ` ${r.note}` : ''}`);
}
const comparable = m.filter((r) => r.relation);
console.log(`matrices: ${m.length}, comparable ${comparable.length}, equal ${comparable.filter((r) => r.relation === 'equal').length}\n`);

console.log('simplified rulesets (iptables -L -n of the verified upper/lower closures), TCP');
console.log(`${pad('ruleset', 30)}${pad('chain', 9)}${pad('port', 6)}${pad('⊇ lower', 9)}${pad('⊆ upper', 9)}${pad('⊆ upper (ipassmt)', 19)}${pad('trivial?', 18)}excess over upper`);
const s = simplifiedRows();
for (const r of s) {
  const trivial = [r.upper.isAnyV4() ? 'upper=all' : '', r.lower.isEmpty() ? 'lower=∅' : ''].filter(Boolean).join(',');
  const yn = (b) => (b === undefined ? '-' : b ? 'yes' : 'NO');
  console.log(`${pad(r.ruleset, 30)}${pad(r.chain, 9)}${pad(r.port, 6)}${pad(yn(r.coversLower), 9)}${pad(yn(r.withinUpper), 9)}${pad(yn(r.withinUpperAssigned), 19)}${pad(trivial, 18)}${r.withinUpper ? '' : r.ours.subtract(r.upper).toCidrs().slice(0, 3).join(' ')}`);
}
const files = new Set(s.map((r) => `${r.ruleset}/${r.chain}`));
const agreeRows = s.filter((r) => r.coversLower && (r.withinUpperAssigned ?? r.withinUpper));
const agreeFiles = [...files].filter((f) => s.filter((r) => `${r.ruleset}/${r.chain}` === f).every((r) => r.coversLower && (r.withinUpperAssigned ?? r.withinUpper)));
console.log(`\nrulesets×chain: ${files.size}, agree on all ports ${agreeFiles.length}; ports compared ${s.length}: ⊇ lower ${s.filter((r) => r.coversLower).length}, ⊆ upper ${s.filter((r) => r.withinUpper).length} raw, ${s.filter((r) => r.withinUpperAssigned ?? r.withinUpper).length} with the assignment; both ${agreeRows.length}`);
console.log(`non-trivial: upper ≠ all addresses in ${s.filter((r) => !r.upper.isAnyV4()).length}, lower ≠ ∅ in ${s.filter((r) => !r.lower.isEmpty()).length}, ours = upper in ${s.filter((r) => r.ours.equals(r.upper)).length}, ours = lower in ${s.filter((r) => r.ours.equals(r.lower)).length}`);
