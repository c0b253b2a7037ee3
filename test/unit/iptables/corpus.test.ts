/** Real-world rulesets from ../shared/corpus: no false syntax errors, and agreement with the verified analyser. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'node:test';
import { analyseExposure, type ChainExposure } from '../../../server/src/analysis/exposure';
import { parseIptables } from '../../../server/src/formats/iptables/parse';
import { portOfService } from '../../../server/src/knowledge/registry';
import { AddressSet } from '../../../server/src/model/addresses';
import { CORPUS, HAVE_CORPUS, NO_CORPUS, corpusFiles } from '../../support/corpus';
import { readMatrices } from '../../support/golden';

const ctx = { resolveService: (n: string, p?: string) => portOfService(n, p as 'tcp') };

/** Problems MANIFEST.md says the data really contains; anything else is a false error. */
function expected(file: string, line: string, code: string, message: string): boolean {
  const name = path.basename(file);
  if (name.startsWith('tum-net') && code === 'PC001' && /invalid MAC address `XX:XX:XX:XX:XX:XX`/.test(message)) return true;
  if (
    (name === 'tum-net-2014-07-25.rules' || name === 'tum-net-2015-05-13-cheating.rules') &&
    code === 'PC003' &&
    line.includes('60000:29')
  )
    return true;
  if (name === 'parser-test.rules' && code === 'PC008' && message.includes('--something-else')) return true;
  if (name === 'ugent.rules' && code === 'PC009') return true; // obsolete `-d ! x`, information only
  return false;
}

test('every iptables and ufw rules file in the corpus parses with no false syntax errors', { skip: !HAVE_CORPUS && NO_CORPUS }, () => {
  const files = [...corpusFiles('iptables'), ...corpusFiles('ufw/rules')];
  assert.ok(files.length >= 46, `found ${files.length} files`);
  const unexpected: string[] = [];
  let expectedCount = 0;
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    const lines = text.split('\n');
    const rs = parseIptables(text, { ...ctx, path: f });
    for (const p of rs.problems) {
      if (expected(f, lines[p.range.start.line], p.code, p.message)) expectedCount++;
      else unexpected.push(`${path.basename(f)}:${p.range.start.line + 1} ${p.code} ${p.message}`);
    }
  }
  assert.deepEqual(unexpected, []);
  // The anonymised MACs and the inverted range are real errors: make sure we do see them.
  assert.ok(expectedCount > 1000, `expected the known real errors, saw ${expectedCount}`);
});

function unionOverInterfaces(ce: ChainExposure, port: number): AddressSet {
  let s = AddressSet.NONE;
  for (const g of ce.grants) if (g.protocol === 'tcp' && g.ports.has(port)) s = s.union(g.sources);
  return s;
}

// fffuu abstracts interfaces away (over-approximation), so compare with the union over interface classes.
for (const [golden, rules, chain] of [
  ['synology_iptables-save_jun_2015_cleanup.txt', 'synology-2015-cleanup.rules', 'INPUT'],
  ['parser_test.txt', 'parser-test.rules', 'FORWARD'],
] as const) {
  test(`golden service matrices agree: ${rules} ${chain}`, { skip: !HAVE_CORPUS && NO_CORPUS }, () => {
    const matrices = readMatrices(fs.readFileSync(path.join(CORPUS, 'iptables-golden', golden), 'utf8'));
    assert.ok(matrices.length >= 2);
    const rs = parseIptables(fs.readFileSync(path.join(CORPUS, 'iptables', rules), 'utf8'), ctx);
    const ce = analyseExposure(rs).chains.find((c) => c.chain.name === chain)!;
    for (const m of matrices) {
      const ours = unionOverInterfaces(ce, m.port);
      assert.deepEqual(ours.toCidrs(), m.reachableSources.toCidrs(), `TCP ${m.port}`);
    }
  });
}

test(
  'synology: SSH is open to everyone (the ACCEPT shadows the later DROP), 80 only from loopback',
  { skip: !HAVE_CORPUS && NO_CORPUS },
  () => {
    const rs = parseIptables(fs.readFileSync(path.join(CORPUS, 'iptables', 'synology-2015-cleanup.rules'), 'utf8'), ctx);
    const ce = analyseExposure(rs).chains.find((c) => c.chain.name === 'INPUT')!;
    assert.ok(unionOverInterfaces(ce, 22).isAnyV4());
    assert.deepEqual(unionOverInterfaces(ce, 80).toCidrs(), ['127.0.0.0/8']);
  },
);
