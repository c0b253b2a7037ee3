import assert from 'node:assert/strict';
import test from 'node:test';
import { resolveSettings } from '../../../server/src/analysis/settings';
import { nftablesFormat } from '../../../server/src/formats/nftables';
import { analyseText } from '../../../server/src/pipeline';
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

/** The PC105 findings of a file, with the lines (1-based) their related information points at. */
function pc105(fa: ReturnType<typeof analyseRules>): { line: number; related: number[]; message: string }[] {
  return fa.findings
    .filter((f) => f.code === 'PC105')
    .map((f) => ({ line: f.range.start.line + 1, related: (f.related ?? []).map((r) => r.range.start.line + 1), message: f.message }));
}

const table = (name: string, chains: string[], rules: string[]) => [`*${name}`, ...chains, ...rules, 'COMMIT'];

test('PC105 names the deciding rule in an earlier table on the path: a raw PREROUTING drop', () => {
  const text = [
    ...table('raw', [':PREROUTING ACCEPT [0:0]'], ['-A PREROUTING -p tcp --dport 22 -j DROP']),
    ...table('filter', [':INPUT DROP [0:0]'], ['-A INPUT -p tcp --dport 22 -j ACCEPT', '-A INPUT -p tcp --dport 80 -j ACCEPT']),
  ].join('\n');
  const [f, ...more] = pc105(analyseRules(text));
  assert.equal(more.length, 0);
  assert.equal(f.line, 7);
  assert.deepEqual(f.related, [3]);
  assert.match(f.message, /decided before it sees them, by line 3 \(chain PREROUTING of table raw\)/);
  // It is not advice to move the rule within its own chain: no line there decides.
  assert.doesNotMatch(f.message, /move it above/);
});

test('PC105 names a nat REDIRECT that rewrites the port, and a NOTRACK that makes NEW connections UNTRACKED', () => {
  const nat = [
    ...table('nat', [':PREROUTING ACCEPT [0:0]'], ['-A PREROUTING -p tcp --dport 80 -j REDIRECT --to-ports 8080']),
    ...table('filter', [':INPUT DROP [0:0]'], ['-A INPUT -p tcp --dport 80 -j ACCEPT', '-A INPUT -p tcp --dport 8080 -j ACCEPT']),
  ].join('\n');
  const [r] = pc105(analyseRules(nat));
  assert.deepEqual([r.line, r.related], [7, [3]]);
  const notrack = [
    ...table('raw', [':PREROUTING ACCEPT [0:0]'], ['-A PREROUTING -p udp --dport 53 -j CT --notrack']),
    ...table('filter', [':INPUT DROP [0:0]'], ['-A INPUT -p udp --dport 53 -m conntrack --ctstate NEW -j ACCEPT']),
  ].join('\n');
  const [n] = pc105(analyseRules(notrack));
  assert.deepEqual([n.line, n.related], [7, [3]]);
  const fa = analyseRules(notrack);
  assert.match(fa.findings.find((x) => x.code === 'PC105')!.related![0].message, /out of connection tracking/);
});

test('PC105 in a chain reached by a jump names the caller rule that decides first, or the jump that never sends the packets', () => {
  const decidedInCaller = filterTable([
    '-N SVC',
    '-A INPUT -p tcp --dport 22 -j DROP',
    '-A INPUT -p tcp -j SVC',
    '-A SVC -p tcp --dport 22 -j ACCEPT',
    '-A SVC -p tcp --dport 443 -j ACCEPT',
  ]).replace('-N SVC', ':SVC - [0:0]');
  assert.deepEqual(
    pc105(analyseRules(decidedInCaller)).map((f) => [f.line, f.related]),
    [[8, [6]]],
  );
  const neverSent = filterTable([':SVC - [0:0]', '-A INPUT -p tcp --dport 443 -j SVC', '-A SVC -p tcp --dport 22 -j ACCEPT', '-A SVC -p tcp --dport 443 -j ACCEPT']);
  const [f] = pc105(analyseRules(neverSent));
  assert.deepEqual([f.line, f.related], [7, [6]]);
  assert.match(f.message, /the jump in chain INPUT/);
});

test('PC105 on nftables: another base chain on the same hook with a lower priority decides first', () => {
  const text = [
    'table inet early {',
    '  chain pre {',
    '    type filter hook input priority -10; policy accept;',
    '    tcp dport 22 drop',
    '  }',
    '}',
    'table inet filter {',
    '  chain input {',
    '    type filter hook input priority 0; policy drop;',
    '    tcp dport 22 accept',
    '    tcp dport 443 accept',
    '  }',
    '}',
  ].join('\n');
  const fa = analyseText(text, nftablesFormat, 'hooks.nft', resolveSettings({}));
  const f = fa.findings.filter((x) => x.code === 'PC105');
  assert.deepEqual(
    f.map((x) => [x.range.start.line + 1, (x.related ?? []).map((r) => r.range.start.line + 1)]),
    [[10, [4]]],
  );
  assert.match(f[0].message, /line 4 \(chain pre of table inet early\)/);
});

test('PC105 keeps its same-chain advice when a rule of the chain decides every packet; a partial earlier drop is not blamed', () => {
  const text = [
    ...table('raw', [':PREROUTING ACCEPT [0:0]'], ['-A PREROUTING -s 192.0.2.0/24 -p tcp --dport 22 -j DROP']),
    ...table('filter', [':INPUT DROP [0:0]'], ['-A INPUT -p tcp --dport 20:30 -j ACCEPT', '-A INPUT -p tcp --dport 22 -j ACCEPT']),
  ].join('\n');
  const [f] = pc105(analyseRules(text));
  assert.equal(f.line, 8);
  assert.deepEqual(f.related, [7]);
  assert.match(f.message, /earlier rules \(line 7\) already decide all of its packets\. Delete it, or move it above line 7\./);
});

test('PC105: a jump that sends none of the packets is not blamed alone when another jump sends them', () => {
  // SVC gets port 22 from FORWARD's jump, where an earlier drop decides it; INPUT's jump (443 only) is only related.
  const text = filterTable([
    ':SVC - [0:0]',
    '-A INPUT -p tcp --dport 443 -j SVC',
    '-A FORWARD -p tcp --dport 22 -j DROP',
    '-A FORWARD -p tcp -j SVC',
    '-A SVC -p tcp --dport 22 -j ACCEPT',
    '-A SVC -p tcp --dport 443 -j ACCEPT',
  ]);
  const [f, ...more] = pc105(analyseRules(text));
  assert.equal(more.length, 0);
  assert.equal(f.line, 9);
  assert.deepEqual(f.related, [7, 6]);
  assert.match(f.message, /by line 7 \(chain FORWARD of table filter\), line 6 \(the jump in chain INPUT of table filter\)\./);
});
