import assert from 'node:assert/strict';
import test from 'node:test';
import { analyseRules, codes, filterTable } from '../../support/analyse';

test('PC105: a rule after one that decides all its packets, with the responsible rule related', () => {
  const fa = analyseRules(
    filterTable([
      '-A INPUT -p tcp -m multiport --dports 20:25 -j DROP',
      '-A INPUT -p tcp --dport 22 -s 10.0.0.0/8 -j ACCEPT',
      '-A INPUT -p tcp --dport 80 -j ACCEPT',
    ]),
  );
  const f = fa.findings.filter((x) => x.code === 'PC105');
  assert.equal(f.length, 1);
  assert.equal(f[0].range.start.line, 5);
  assert.equal(f[0].related?.[0].range.start.line, 4);
  assert.match(f[0].related![0].message, /every packet/);
});

test('PC105: an accept-all NEW rule shadows everything after it; ICMP rules are not judged', () => {
  const fa = analyseRules(
    filterTable(['-A INPUT -m state --state NEW -j ACCEPT', '-A INPUT -p tcp --dport 22 -j DROP', '-A INPUT -p icmp -j DROP']),
  );
  assert.deepEqual(
    fa.findings.filter((x) => x.code === 'PC105').map((x) => x.range.start.line),
    [5],
  );
});

test('PC105 is not raised when only part of the rule is decided earlier', () => {
  const fa = analyseRules(filterTable(['-A INPUT -p tcp --dport 22 -s 10.0.0.0/8 -j DROP', '-A INPUT -p tcp --dport 22 -j ACCEPT']));
  assert.ok(!codes(fa).includes('PC105'));
});

test('PC106: a rule the policy or a later rule makes pointless', () => {
  const fa = analyseRules(
    filterTable([
      '-A INPUT -p tcp --dport 23 -j DROP',
      '-A INPUT -p tcp --dport 3389 -j ACCEPT',
      '-A INPUT -p tcp --dport 3000:4000 -j ACCEPT',
      '-A INPUT -p tcp --dport 22 -j ACCEPT',
    ]),
  );
  assert.deepEqual(
    fa.findings.filter((x) => x.code === 'PC106').map((x) => x.range.start.line),
    [4, 5],
  );
});

test('PC106 stays quiet where the model approximates (rate limits)', () => {
  const fa = analyseRules(
    filterTable([
      ':limit - [0:0]',
      '-A INPUT -p tcp --dport 22 -j limit',
      '-A limit -m limit --limit 3/min -j RETURN',
      '-A limit -j DROP',
      '-A INPUT -p tcp --dport 22 -j ACCEPT',
    ]),
  );
  assert.ok(!codes(fa).includes('PC106'), JSON.stringify(fa.findings.map((f) => [f.code, f.range.start.line])));
});
