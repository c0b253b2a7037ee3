import assert from 'node:assert/strict';
import test from 'node:test';
import { parseIptables } from '../../../server/src/formats/iptables/parse';
import { portOfService } from '../../../server/src/knowledge/registry';
import type { Condition } from '../../../server/src/model/ruleset';

const ctx = { resolveService: (n: string, p?: string) => portOfService(n, p as 'tcp') };
const parse = (text: string, path?: string) => parseIptables(text, { ...ctx, path });
const wrap = (...rules: string[]) =>
  ['*filter', ':INPUT DROP [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [12:345]', ...rules, 'COMMIT'].join('\n');
type Of<K, C = Condition> = C extends { kind: infer CK } ? (K extends CK ? C : never) : never;
const cond = <K extends Condition['kind']>(cs: Condition[], kind: K) => cs.find((c) => c.kind === kind) as Of<K>;

test('chains, policies and counters from iptables-save', () => {
  const rs = parse(wrap(':LOGDROP - [0:0]', '-A LOGDROP -j DROP', '[5:300] -A INPUT -j LOGDROP'));
  assert.deepEqual(rs.problems, []);
  const filter = rs.tables[0];
  assert.equal(filter.name, 'filter');
  const input = filter.chains.find((c) => c.name === 'INPUT')!;
  assert.equal(input.policy, 'drop');
  assert.equal(input.hook, 'input');
  assert.deepEqual(input.rules[0].action, {
    kind: 'jump',
    chain: 'LOGDROP',
    range: input.rules[0].action.kind === 'jump' ? input.rules[0].action.range : undefined,
  });
  assert.equal(filter.chains.find((c) => c.name === 'LOGDROP')!.hook, undefined);
});

test('ports: single, ranges, open ends, multiport lists and service names', () => {
  const rs = parse(
    wrap(
      '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT',
      '-A INPUT -p tcp --dport 1000:2000 -j ACCEPT',
      '-A INPUT -p udp --sport :1023 -j ACCEPT',
      '-A INPUT -p tcp --dport 60000: -j ACCEPT',
      '-A INPUT -p tcp -m multiport --dports 80,443,8000:8080 -j ACCEPT',
      '-A INPUT -p tcp --dport ssh -j ACCEPT',
    ),
  );
  assert.deepEqual(rs.problems, []);
  const rules = rs.tables[0].chains[0].rules;
  assert.deepEqual(cond(rules[0].conditions, 'dport').set.ranges(), [[22, 22]]);
  assert.deepEqual(cond(rules[1].conditions, 'dport').set.ranges(), [[1000, 2000]]);
  assert.deepEqual(cond(rules[2].conditions, 'sport').set.ranges(), [[0, 1023]]);
  assert.deepEqual(cond(rules[3].conditions, 'dport').set.ranges(), [[60000, 65535]]);
  assert.deepEqual(cond(rules[4].conditions, 'dport').set.ranges(), [
    [80, 80],
    [443, 443],
    [8000, 8080],
  ]);
  const ssh = cond(rules[5].conditions, 'dport');
  assert.deepEqual(ssh.set.ranges(), [[22, 22]]);
  assert.equal(ssh.items[0].service, 'ssh');
  // The item range points at the token itself: `443` in the multiport list.
  const item443 = cond(rules[4].conditions, 'dport').items[1];
  assert.equal(item443.text, '443');
  assert.equal(item443.range.end.character - item443.range.start.character, 3);
});

test('negation, addresses, interfaces, state and comments', () => {
  const rs = parse(
    wrap(
      '-A INPUT ! -s 10.0.0.0/8,192.168.1.1 -i eth0 -p tcp -m conntrack --ctstate NEW,ESTABLISHED -m comment --comment "web traffic" -m tcp ! --dport 80 -j REJECT --reject-with tcp-reset',
    ),
  );
  assert.deepEqual(rs.problems, []);
  const r = rs.tables[0].chains[0].rules[0];
  const src = cond(r.conditions, 'source');
  assert.equal(src.negated, true);
  assert.deepEqual(src.set.toCidrs(), ['10.0.0.0/8', '192.168.1.1/32']);
  assert.equal(cond(r.conditions, 'inInterface').name, 'eth0');
  assert.deepEqual(cond(r.conditions, 'state').states, ['new', 'established']);
  assert.equal(cond(r.conditions, 'dport').negated, true);
  assert.equal(r.comment, 'web traffic');
  assert.equal(r.action.kind, 'reject');
});

test('unknown match modules and targets are kept, not errors', () => {
  const rs = parse(
    wrap(
      ':X - [0:0]',
      '-A INPUT -m geoip --src-cc CN,RU -j DROP',
      '-A INPUT -p tcp --dport 22 -m recent --update --seconds 60 --hitcount 4 --name ssh -j DROP',
      '-A X -j FANCYTARGET --fancy-opt 3',
      '-A INPUT -j X',
    ),
  );
  assert.deepEqual(
    rs.problems.map((p) => p.message),
    [],
  );
  const r = rs.tables[0].chains.find((c) => c.name === 'INPUT')!.rules[0];
  assert.equal(cond(r.conditions, 'opaque').text, '--src-cc CN,RU');
});

test('errors carry the exact token range and the parser recovers', () => {
  const text = wrap(
    '-A INPUT -p tcp --dport 70000 -j ACCEPT',
    '-A INPUT -p udp --dport 60000:29 -j ACCEPT',
    '-A INPUT --dport 22 -j ACCEPT',
    '-A INPUT -p icmp --dport 22 -j ACCEPT',
    '-A INPUT -j NOWHERE',
    '-A INPUT -s 10.0.0.300 -j DROP',
    '-A INPUT -p tcp --dport 443 -j ACCEPT',
  );
  const rs = parse(text);
  const lines = text.split('\n');
  const got = rs.problems.map((p) => [p.code, lines[p.range.start.line].slice(p.range.start.character, p.range.end.character)]);
  assert.deepEqual(got, [
    ['PC002', '70000'],
    ['PC003', '60000:29'],
    ['PC004', '--dport 22'],
    ['PC004', '--dport 22'],
    ['PC007', '10.0.0.300'],
    ['PC005', 'NOWHERE'],
  ]);
  // The last, valid rule is still there after all the errors.
  assert.equal(rs.tables[0].chains[0].rules.length, 7);
});

test('structure: rules outside a table and a missing COMMIT', () => {
  const rs = parse('-A INPUT -j ACCEPT\n*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\n');
  assert.deepEqual(
    rs.problems.map((p) => [p.code, p.range.start.line]),
    [
      ['PC006', 0],
      ['PC006', 1],
    ],
  );
});

test('old negation placement is understood and flagged as obsolete', () => {
  const rs = parse(wrap('-A FORWARD -s 192.168.122.0/24 -d ! 192.168.122.0/24 -j ACCEPT'));
  assert.deepEqual(
    rs.problems.map((p) => p.code),
    ['PC009'],
  );
  assert.equal(cond(rs.tables[0].chains[1].rules[0].conditions, 'destination').negated, true);
});

test('-I inserts at the top (or at a position); -N/-P/-F work as commands', () => {
  const rs = parse(
    [
      '*filter',
      '-P INPUT DROP',
      '-N web',
      '-A INPUT -p tcp --dport 80 -j web',
      '-I INPUT -i lo -j ACCEPT',
      '-I INPUT 2 -p tcp --dport 22 -j ACCEPT',
      'COMMIT',
    ].join('\n'),
  );
  assert.deepEqual(rs.problems, []);
  const input = rs.tables[0].chains.find((c) => c.name === 'INPUT')!;
  assert.equal(input.policy, 'drop');
  assert.deepEqual(
    input.rules.map((r) => r.action.kind),
    ['accept', 'accept', 'jump'],
  );
  assert.equal(cond(input.rules[1].conditions, 'dport').set.toString(), '22');
});

test('IPv6 detection: ip6tables header, addresses, and ufw file names', () => {
  assert.equal(parse('# Generated by ip6tables-save v1.8\n*filter\nCOMMIT\n').family, 'ipv6');
  assert.equal(parse(wrap('-A INPUT -s 2001:db8::/32 -j ACCEPT')).family, 'ipv6');
  assert.equal(parse(wrap(), '/etc/ufw/user6.rules').family, 'ipv6');
  assert.equal(parse(wrap('-A INPUT -s 10.0.0.0/8 -j ACCEPT'), '/etc/iptables/rules.v4').family, 'ipv4');
});

test('CRLF, BOM, tabs and quotes are ordinary input', () => {
  const rs = parse(
    '\ufeff*filter\r\n:INPUT DROP [0:0]\r\n-A INPUT\t-p tcp --dport 22 -m comment --comment "a \\"quoted\\" word" -j ACCEPT\r\nCOMMIT\r\n',
  );
  assert.deepEqual(rs.problems, []);
  const r = rs.tables[0].chains[0].rules[0];
  assert.equal(r.comment, 'a "quoted" word');
  assert.equal(cond(r.conditions, 'dport').items[0].range.start.character, 24);
});
