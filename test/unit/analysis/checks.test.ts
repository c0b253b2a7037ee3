import assert from 'node:assert/strict';
import test from 'node:test';
import { analyseRules, codes, filterTable } from '../../support/analyse';

const at = (fa: ReturnType<typeof analyseRules>, code: string) => {
  const f = fa.findings.find((x) => x.code === code)!;
  assert.ok(f, `expected ${code} in ${codes(fa).join(',')}`);
  return { f, token: fa.lines[f.range.start.line].slice(f.range.start.character, f.range.end.character) };
};

test('PC101: RDP open to the world is reported on the port token, with who and why', () => {
  const fa = analyseRules(filterTable(['-A INPUT -p tcp --dport 3389 -j ACCEPT']));
  const { f, token } = at(fa, 'PC101');
  assert.equal(token, '3389');
  assert.equal(f.severity, 'error');
  assert.match(f.message, /RDP/);
  assert.match(f.message, /any IPv4 address/);
  assert.match(f.message, /INPUT/);
});

test('PC101 is not raised for a private source, trusted networks, or a blocked port', () => {
  assert.ok(!codes(analyseRules(filterTable(['-A INPUT -s 10.0.0.0/29 -p tcp --dport 3389 -j ACCEPT']))).includes('PC101'));
  assert.ok(!codes(analyseRules(filterTable(['-A INPUT -p tcp --dport 3389 -j DROP']))).includes('PC101'));
  assert.ok(!codes(analyseRules(filterTable(['-A INPUT -p tcp --dport 443 -j ACCEPT']))).includes('PC101'));
  const trusted = analyseRules(
    filterTable(['-A INPUT ! -s 198.51.100.0/24 -p tcp --dport 3389 -j DROP', '-A INPUT -p tcp --dport 3389 -j ACCEPT']),
    { trustedSources: ['198.51.100.0/24'] },
  );
  assert.ok(!codes(trusted).includes('PC101'));
});

test('PC101 for ::/0 in ip6tables', () => {
  const fa = analyseRules(
    ['*filter', ':INPUT DROP [0:0]', '-A INPUT -s ::/0 -p tcp --dport 3389 -j ACCEPT', 'COMMIT'].join('\n'),
    {},
    'rules.v6',
  );
  assert.match(at(fa, 'PC101').f.message, /any IPv6 address/);
});

test('PC102: a range covering risky ports names them; a range without them is fine', () => {
  const { f, token } = at(analyseRules(filterTable(['-A INPUT -p tcp --dport 3000:4000 -j ACCEPT'])), 'PC102');
  assert.equal(token, '3000:4000');
  assert.match(f.message, /3389/);
  assert.ok(!codes(analyseRules(filterTable(['-A INPUT -p tcp --dport 60000:61000 -j ACCEPT']))).includes('PC102'));
});

test('PC103: ACCEPT policy without a catch-all; not when a final DROP decides everything', () => {
  const { f, token } = at(analyseRules(filterTable(['-A INPUT -p tcp --dport 22 -j ACCEPT'], 'ACCEPT')), 'PC103');
  assert.equal(token, 'ACCEPT');
  assert.match(f.message, /INPUT/);
  assert.ok(!codes(analyseRules(filterTable(['-A INPUT -p tcp --dport 80 -j ACCEPT', '-A INPUT -j DROP'], 'ACCEPT'))).includes('PC103'));
});

test('PC104: accept-everything rule; loopback is not "everything"', () => {
  const { token } = at(analyseRules(filterTable(['-A INPUT -j ACCEPT'])), 'PC104');
  assert.equal(token, 'ACCEPT');
  assert.ok(!codes(analyseRules(filterTable(['-A INPUT -i lo -j ACCEPT']))).includes('PC104'));
});

test('a GRE or ICMP rule (no ports) is never reported as port exposure', () => {
  const fa = analyseRules(filterTable(['-A INPUT -p gre -j ACCEPT', '-A INPUT -p icmp -j ACCEPT']));
  assert.deepEqual(
    codes(fa).filter((c) => c.startsWith('PC10')),
    [],
  );
});

test('PC010: unused user chain', () => {
  const { token } = at(analyseRules(filterTable([':orphan - [0:0]', '-A orphan -j DROP'])), 'PC010');
  assert.equal(token, 'orphan');
});

test('inline suppression on the line before or as a trailing comment, and severity settings', () => {
  const before = analyseRules(
    filterTable(['# portcullis-ignore PC101: load balancer health checks', '-A INPUT -p tcp --dport 3389 -j ACCEPT']),
  );
  assert.ok(!codes(before).includes('PC101'));
  // A trailing comment still suppresses, but iptables-restore rejects it, so the parser says so.
  const trailing = analyseRules(filterTable(['-A INPUT -p tcp --dport 3389 -j ACCEPT # portcullis-ignore PC101: lab box']));
  assert.ok(!codes(trailing).includes('PC101'));
  assert.match(trailing.findings.find((f) => f.code === 'PC001')!.message, /comment after a rule/);
  const other = analyseRules(filterTable(['# portcullis-ignore PC104: wrong code', '-A INPUT -p tcp --dport 3389 -j ACCEPT']));
  assert.ok(codes(other).includes('PC101'));
  const off = analyseRules(filterTable(['-A INPUT -p tcp --dport 3389 -j ACCEPT']), { severity: { PC101: 'off' } });
  assert.ok(!codes(off).includes('PC101'));
  const hint = analyseRules(filterTable(['-A INPUT -p tcp --dport 3389 -j ACCEPT']), { severity: { pc101: 'hint' } });
  assert.equal(hint.findings.find((f) => f.code === 'PC101')!.severity, 'hint');
});

test('extra risky ports from settings; bad settings are reported', () => {
  const fa = analyseRules(filterTable(['-A INPUT -p tcp --dport 8443 -j ACCEPT']), { riskyPorts: ['8443/tcp'] });
  assert.ok(codes(fa).includes('PC101'));
  const { resolveSettings } = require('../../../server/src/analysis/settings') as typeof import('../../../server/src/analysis/settings');
  const s = resolveSettings({ riskyPorts: ['99999', 'abc'], trustedSources: ['not-a-net'], severity: { PC101: 'loud' as never } });
  assert.equal(s.errors.length, 4);
});

test('PC107: a port the IPv4 file keeps private but the IPv6 file opens, reported on the IPv6 rule', () => {
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  const { REPO } = require('../../support/corpus') as typeof import('../../support/corpus');
  const dir = path.join(REPO, 'test/fixtures/parity');
  const v6 = path.join(dir, 'rules.v6');
  const fa = analyseRules(fs.readFileSync(v6, 'utf8'), {}, v6);
  assert.ok(!codes(fa).includes('PC107'), 'without a sibling reader there is nothing to compare');
  const { analyseText } = require('../../../server/src/pipeline') as typeof import('../../../server/src/pipeline');
  const { iptablesFormat } = require('../../../server/src/formats/iptables') as typeof import('../../../server/src/formats/iptables');
  const { resolveSettings } = require('../../../server/src/analysis/settings') as typeof import('../../../server/src/analysis/settings');
  const withSibling = analyseText(fs.readFileSync(v6, 'utf8'), iptablesFormat, v6, resolveSettings({}), (p) => fs.readFileSync(p, 'utf8'));
  const f = withSibling.findings.filter((x) => x.code === 'PC107');
  assert.equal(f.length, 1);
  assert.equal(f[0].range.start.line, 5);
  assert.match(f[0].message, /TCP 22 is reachable from any IPv6 address/);
});
