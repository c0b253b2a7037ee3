import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'node:test';
import { analyseExposure, sourcesFor } from '../../../server/src/analysis/exposure';
import { pfEdits } from '../../../server/src/formats/pf/edits';
import { parsePf } from '../../../server/src/formats/pf/parse';
import { AddressSet } from '../../../server/src/model/addresses';
import { CORPUS, ctx } from './helpers';

const parse = (text: string) => parsePf(text, ctx);
const v4 = (text: string) => analyseExposure(parse(text)).chains.find((c) => c.family === 'ipv4' && c.chain.hook === 'input')!;

test('last match wins; quick decides at once', () => {
  let ce = v4('block in all\npass in proto tcp to port 22\n');
  assert.ok(sourcesFor(ce, 'tcp', 22).isAnyV4());
  assert.ok(sourcesFor(ce, 'tcp', 23).isEmpty());
  ce = v4('pass in proto tcp to port 22\nblock in all\n');
  assert.ok(sourcesFor(ce, 'tcp', 22).isEmpty());
  ce = v4('pass in quick proto tcp to port 22\nblock in all\n');
  assert.ok(sourcesFor(ce, 'tcp', 22).isAnyV4());
  ce = v4('block in quick proto tcp from 10.0.0.0/8 to port 22\npass in quick proto tcp to port 22\nblock in all\n');
  assert.ok(sourcesFor(ce, 'tcp', 22).equals(AddressSet.ANY_V4.subtract(AddressSet.parse('10.0.0.0/8')!)));
  // Nothing matches: pf passes.
  ce = v4('block in proto tcp to port 22\n');
  assert.ok(sourcesFor(ce, 'udp', 53).isAnyV4());
});

test('macros, tables, lists, port operators, continuation', () => {
  const text = `ext = "em0"
svc = "{ ssh, 80 }"
table <admins> { 192.0.2.0/24, 198.51.100.7 }
block in all
pass in on $ext proto tcp from <admins> to any port $svc
pass in proto tcp to port 1000 >< 1005 \\
   keep state
pass in proto udp to port >= 60000
`;
  const rs = parse(text);
  assert.deepEqual(rs.problems, []);
  const ce = analyseExposure(rs).chains.find((c) => c.family === 'ipv4')!;
  const admins = AddressSet.parse('192.0.2.0/24')!.union(AddressSet.parse('198.51.100.7')!);
  assert.ok(sourcesFor(ce, 'tcp', 22, 'em0').equals(admins));
  assert.ok(sourcesFor(ce, 'tcp', 22).isEmpty());
  assert.ok(sourcesFor(ce, 'tcp', 1003).isAnyV4());
  assert.ok(sourcesFor(ce, 'tcp', 1005).isEmpty());
  assert.ok(sourcesFor(ce, 'udp', 61000).isAnyV4());
  const multi = rs.tables[0].chains[0].rules.find((r) => r.range.start.line === 5)!;
  assert.equal(multi.range.end.line, 6);
});

test('errors: undefined macro, port without proto, unknown statement', () => {
  assert.deepEqual(parse('pass in on $nope all\n').problems.map((p) => p.code), ['PC001']);
  assert.deepEqual(parse('pass in to port 22\n').problems.map((p) => p.code), ['PC004']);
  assert.deepEqual(parse('frob all\n').problems.map((p) => p.code), ['PC001']);
  assert.deepEqual(parse('pass in proto tcp to port 70000\n').problems.map((p) => p.code), ['PC002']);
  assert.deepEqual(parse('pass in proto tcp to port 2000:1000\n').problems.map((p) => p.code), ['PC003']);
});

test('edits', () => {
  const text = 'block all\npass in to port 22\npass in proto tcp from any to any port 3389\n';
  const lines = text.split('\n');
  const rules = parse(text).tables[0].chains[0].rules;
  const p22 = rules.find((r) => r.range.start.line === 1)!;
  const rdp = rules.find((r) => r.range.start.line === 2)!;
  assert.equal(pfEdits.addProtocol(p22, lines, 'tcp')?.newText, 'proto tcp ');
  assert.equal(pfEdits.setVerdict(rdp, lines, 'drop')?.newText, 'block drop');
  assert.equal(pfEdits.restrictSource(rdp, lines, '192.0.2.0/24')?.newText, 'from 192.0.2.0/24');
});

test('every pf file in the corpus parses with no error', (t) => {
  const dir = path.join(CORPUS, 'pf');
  if (!fs.existsSync(dir)) return t.skip(`corpus not found at ${CORPUS}`);
  const files = fs.readdirSync(dir).filter((f) => !f.endsWith('.md'));
  assert.ok(files.length >= 5);
  for (const f of files) assert.deepEqual(parse(fs.readFileSync(path.join(dir, f), 'utf8')).problems, [], f);
});
