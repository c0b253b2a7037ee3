/**
 * The packet's whole path (raw → conntrack → mangle → nat → filter, nft priorities), conntrack tuples, verdict
 * maps, concatenations, tcp flags expressions and hexadecimal ports: parsing into the model and what the
 * exposure walk makes of it. The kernel's word on the same constructs is in oracle/kernel-path.test.ts.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'node:test';
import { analyseExposure, sourcesFor, type ChainExposure } from '../../../server/src/analysis/exposure';
import { resolveSettings } from '../../../server/src/analysis/settings';
import { serviceMatrix } from '../../../server/src/analysis/matrix';
import { hoverAt } from '../../../server/src/features/hover';
import { iptablesFormat } from '../../../server/src/formats/iptables';
import { parseIptables } from '../../../server/src/formats/iptables/parse';
import { nftablesFormat } from '../../../server/src/formats/nftables';
import { openingMatches, parseNftables } from '../../../server/src/formats/nftables/parse';
import { portOfService } from '../../../server/src/knowledge/registry';
import type { Condition, Ruleset } from '../../../server/src/model/ruleset';
import { allRules } from '../../../server/src/model/ruleset';
import { analyseText } from '../../../server/src/pipeline';
import { filterTable } from '../../support/analyse';
import { CORPUS, HAVE_CORPUS, NO_CORPUS } from '../../support/corpus';

const ctx = { resolveService: (n: string, p?: string) => portOfService(n, p as 'tcp') };
const ipt = (text: string): Ruleset => parseIptables(text, ctx);
const nft = (text: string): Ruleset => parseNftables(text, { ...ctx, path: 't.nft' });
const inputs = (rs: Ruleset, family = 'ipv4'): ChainExposure[] =>
  analyseExposure(rs).chains.filter((c) => c.hook === 'input' && c.family === family);
/** Sources reaching a port over every chain reported on the input path. */
const reach = (rs: Ruleset, port: number, proto: 'tcp' | 'udp' = 'tcp', iface = '') =>
  inputs(rs).reduce((acc, ce) => acc.union(sourcesFor(ce, proto, port, iface)), sourcesFor(inputs(rs)[0], proto, -1));
const approximate = (rs: Ruleset, port: number, proto: 'tcp' | 'udp' = 'tcp') =>
  inputs(rs)
    .flatMap((ce) => ce.grants)
    .filter((g) => g.protocol === proto && g.ports.has(port))
    .every((g) => g.approximate);

test('conntrack tuple options become ctTuple conditions', () => {
  const rs = ipt(
    filterTable([
      '-A INPUT -m conntrack --ctstate NEW --ctproto 17 --ctorigsrcport 68 --ctorigdstport 67 --ctorigsrc 10.0.0.0/8 ! --ctrepldst 10.1.0.0/16 --ctreplsrcport 80:90 -j ACCEPT',
    ]),
  );
  assert.deepEqual(rs.problems, []);
  const tuples = allRules(rs)[0].conditions.filter((c): c is Extract<Condition, { kind: 'ctTuple' }> => c.kind === 'ctTuple');
  assert.deepEqual(
    tuples.map((c) => `${c.direction} ${c.field}${c.negated ? ' !' : ''}`),
    ['original protocol', 'original sport', 'original dport', 'original source', 'reply destination !', 'reply sport'],
  );
});

test('conntrack tuples: original destination port and source are exact; the client source port is approximate', () => {
  const rs = ipt(
    filterTable([
      '-A INPUT -m conntrack --ctstate NEW --ctproto 17 --ctorigsrcport 68 --ctorigdstport 67 -j ACCEPT',
      '-A INPUT -m conntrack --ctproto 6 --ctorigdstport 53 --ctorigsrc 192.168.0.0/16 -j ACCEPT',
      '-A INPUT -m conntrack --ctproto 6 --ctreplsrcport 443 --ctrepldst 10.0.0.0/8 -j ACCEPT',
    ]),
  );
  assert.deepEqual(reach(rs, 67, 'udp').toCidrs(), ['0.0.0.0/0']);
  assert.ok(approximate(rs, 67, 'udp'), 'depends on the client source port 68');
  assert.ok(reach(rs, 68, 'udp').isEmpty() && reach(rs, 67).isEmpty(), 'only UDP 67');
  assert.deepEqual(reach(rs, 53).toCidrs(), ['192.168.0.0/16']);
  assert.ok(reach(rs, 53, 'udp').isEmpty());
  assert.ok(!approximate(rs, 53));
  assert.deepEqual(reach(rs, 443).toCidrs(), ['10.0.0.0/8'], 'reply source port = destination port, reply destination = source');
});

test('hexadecimal and octal ports read as iptables reads them (strtoul base 0)', () => {
  const rs = ipt(filterTable(['-A INPUT -p tcp --dport 0x1f90 -j ACCEPT', '-A INPUT -p tcp -m multiport --dports 010,0x16 -j ACCEPT']));
  assert.deepEqual(rs.problems, []);
  assert.ok(reach(rs, 8080).isAnyV4() && reach(rs, 8).isAnyV4() && reach(rs, 22).isAnyV4());
  assert.ok(reach(rs, 10).isEmpty());
});

const PATH = `*raw
:PREROUTING ACCEPT [0:0]
-A PREROUTING -p tcp --dport 8080 -j DROP
-A PREROUTING -p udp --dport 5353 -j CT --notrack
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j DROP
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
-A PREROUTING -p tcp --dport 2222 -j REDIRECT --to-ports 22
-A PREROUTING -p tcp --dport 8081 -j DNAT --to-destination 192.0.2.1:80
COMMIT
*filter
:INPUT DROP [0:0]
-A INPUT -p tcp -m multiport --dports 22,80,8080 -m state --state NEW -j ACCEPT
-A INPUT -p udp -m conntrack --ctstate UNTRACKED -j ACCEPT
COMMIT
`;

test('iptables tables in path order: raw and mangle drops count, NOTRACK makes UNTRACKED, REDIRECT exposes the pre-NAT port', () => {
  const rs = ipt(PATH);
  const [ce] = inputs(rs);
  assert.deepEqual(
    ce.path.map((c) => `${c.table}/${c.name}`),
    ['raw/PREROUTING', 'nat/PREROUTING', 'mangle/INPUT', 'filter/INPUT'],
  );
  assert.ok(reach(rs, 8080).isEmpty(), 'raw drops 8080');
  assert.deepEqual(reach(rs, 22).toCidrs(), AnyBut10());
  assert.deepEqual(reach(rs, 2222).toCidrs(), AnyBut10(), 'REDIRECT 2222 → 22: the reachable port is 2222');
  assert.ok(!approximate(rs, 2222));
  assert.ok(reach(rs, 5353, 'udp').isAnyV4(), 'UNTRACKED accept');
  assert.ok(reach(rs, 53, 'udp').isEmpty());
  assert.ok(reach(rs, 8081).isAnyV4() && approximate(rs, 8081), 'DNAT to an address: local only if it is one of ours');
  const json = serviceMatrix(analyseExposure(rs)).find((m) => m.hook === 'input')!;
  const e = json.entries.find((x) => x.ports.has(8081))!;
  assert.ok(e.approximate && e.reasons.some((r) => r.includes('192.0.2.1')), 'the matrix says what the verdict depends on');
});

const SSH_ONLY = `table inet filter {
  chain input {
    type filter hook input priority filter; policy drop;
    ct state vmap { established : accept, related : accept, invalid : drop }
    iifname lo accept
    tcp dport 22 accept
  }
}
`;

test('nft ct state vmap idiom: three rules in the model; exposure is exactly ssh; no PC102', () => {
  const rs = nft(SSH_ONLY);
  assert.deepEqual(rs.problems, []);
  const rules = allRules(rs);
  assert.deepEqual(
    rules.slice(0, 3).map((r) => `${r.conditions.map((c) => (c.kind === 'state' ? c.states.join() : c.kind)).join(' ')} ${r.action.kind}`),
    ['established accept', 'related accept', 'invalid drop'],
  );
  for (const fam of ['ipv4', 'ipv6']) {
    const grants = inputs(rs, fam)
      .flatMap((c) => c.grants)
      .filter((g) => g.iface !== 'lo');
    assert.deepEqual(
      grants.map((g) => `${g.protocol} ${g.ports.toString()} ${g.approximate}`),
      ['tcp 22 false'],
      fam,
    );
  }
  const fa = analyseText(SSH_ONLY, nftablesFormat, 'ssh.nft', resolveSettings({}));
  assert.deepEqual(
    fa.findings.filter((f) => f.code === 'PC102' || f.code === 'PC104'),
    [],
  );
});

test('nft verdict maps: named and empty maps, port maps, chains reached only through a map are used; the hover names the lookup', () => {
  const text = `table inet t {
  map ifs { type ifname : verdict; elements = { "eth0" : jump from_lan, "lo" : accept } }
  map none { type ifname : verdict; }
  chain input {
    type filter hook input priority 0; policy drop;
    meta iif vmap @none
    iifname vmap @ifs
    tcp dport vmap { 80 : accept, 8080 : goto web, 3389 : drop }
  }
  chain from_lan { tcp dport 22 accept; }
  chain web { ip saddr 10.0.0.0/8 accept; }
}
`;
  const fa = analyseText(text, nftablesFormat, 't.nft', resolveSettings({}));
  assert.deepEqual(
    fa.findings.filter((f) => f.code === 'PC001' || f.code === 'PC010' || f.code === 'PC104'),
    [],
  );
  const rs = fa.ruleset;
  assert.ok(reach(rs, 80).isAnyV4() && !approximate(rs, 80));
  assert.deepEqual(reach(rs, 8080).toCidrs(), ['10.0.0.0/8']);
  assert.ok(reach(rs, 3389).isEmpty() && reach(rs, 22).isEmpty());
  assert.ok(reach(rs, 22, 'tcp', 'eth0').isAnyV4(), 'eth0 jumps to from_lan');
  const line = text.split('\n').findIndex((l) => l.includes('tcp dport vmap'));
  const hover = hoverAt(fa, { line, character: text.split('\n')[line].indexOf('vmap') + 1 }, resolveSettings({}))!;
  assert.match(hover.markdown, /verdict map/);
  assert.doesNotMatch(hover.markdown, /outside packet filtering/);
});

test('nft concatenations: one rule per element, exact', () => {
  const rs = nft(`table ip t {
  set pairs { type ipv4_addr . inet_service; elements = { 10.0.0.1 . 22, 10.0.0.2 . 443 } }
  chain input {
    type filter hook input priority 0; policy drop;
    ip saddr . tcp dport { 192.168.0.0/16 . 80, 10.9.0.0/16 . 8080 } accept
    ip saddr . tcp dport @pairs accept
  }
}
`);
  assert.deepEqual(rs.problems, []);
  assert.deepEqual(reach(rs, 80).toCidrs(), ['192.168.0.0/16']);
  assert.deepEqual(reach(rs, 8080).toCidrs(), ['10.9.0.0/16']);
  assert.deepEqual(
    reach(rs, 22)
      .toCidrs()
      .filter((c) => c === '10.0.0.1/32'),
    ['10.0.0.1/32'],
  );
  assert.ok(!approximate(rs, 80));
  const negated = nft(
    'table ip t {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    ip saddr . tcp dport != { 172.16.0.1 . 25 } accept\n  }\n}\n',
  );
  assert.deepEqual(negated.problems, []);
  assert.ok(reach(negated, 25).isAnyV4() && approximate(negated, 25), 'a negated concatenation stays outside the model (approximate)');
});

test('nft tcp flags expressions parse and select (or never select) the opening SYN', () => {
  assert.equal(openingMatches('& (syn | ack) == syn'), true);
  assert.equal(openingMatches('& syn == 0'), false);
  assert.equal(openingMatches('! syn'), false);
  assert.equal(openingMatches('syn / syn,ack'), true);
  assert.equal(openingMatches('& (fin|syn|rst|ack) != syn'), false);
  assert.equal(openingMatches('== syn'), true);
  assert.equal(openingMatches('ack'), false);
  assert.equal(openingMatches('& 0x3 == 0x2'), undefined, 'numeric masks stay opaque');
  const rs = nft(`table inet t {
  chain input {
    type filter hook input priority 0; policy drop;
    tcp flags & (syn | ack) == syn tcp dport 22 accept
    tcp flags & syn == 0 tcp dport 23 accept
  }
}
`);
  assert.deepEqual(rs.problems, []);
  assert.ok(reach(rs, 22).isAnyV4() && !approximate(rs, 22));
  assert.ok(reach(rs, 23).isEmpty());
});

test('nft base chains on one hook are passed in priority order; a prerouting filter chain counts; check judges the combined path', () => {
  const text = `table inet t {
  chain late { type filter hook input priority filter + 10; policy accept; tcp dport 3389 drop; }
  chain input { type filter hook input priority filter; policy drop; tcp dport { 22, 80, 3389, 5900 } accept; }
  chain pre { type filter hook prerouting priority mangle; policy accept; tcp dport 5900 drop; }
}
`;
  const fa = analyseText(text, nftablesFormat, 't.nft', resolveSettings({}));
  const ce = inputs(fa.ruleset);
  assert.deepEqual(
    ce[0].path.map((c) => c.name),
    ['pre', 'input', 'late'],
  );
  assert.deepEqual(
    [22, 80, 3389, 5900].filter((p) => reach(fa.ruleset, p).isAnyV4()),
    [22, 80],
  );
  assert.deepEqual(
    fa.findings
      .filter((f) => f.code === 'PC101' || f.code === 'PC102' || f.code === 'PC103')
      .map((f) => f.message.match(/(VNC|RDP|Remote Desktop|SSH)/)?.[1]),
    ['SSH'],
  );
});

test('an exposure entry without interface holds on loopback, or says it does not', () => {
  const rs = ipt(
    filterTable([
      '-A INPUT -m state --state ESTABLISHED -j ACCEPT',
      '-A INPUT -i lo -p tcp --dport 22 -j DROP',
      '-A INPUT -p tcp --dport 22 -j ACCEPT',
    ]),
  );
  const m = serviceMatrix(analyseExposure(rs)).find((x) => x.hook === 'input')!;
  const e = m.entries.find((x) => x.ports.has(22))!;
  assert.equal(e.interface, '!lo');
  const open = ipt(filterTable(['-A INPUT -i lo -j ACCEPT', '-A INPUT -p tcp --dport 22 -j ACCEPT']));
  const e2 = serviceMatrix(analyseExposure(open))
    .find((x) => x.hook === 'input')!
    .entries.find((x) => x.ports.has(22) && x.interface === undefined);
  assert.ok(e2, 'loopback accepts 22 too: no qualifier needed');
});

test('corpus home-user: no PC102/PC104 on its conntrack DHCP and DNS rules', { skip: !HAVE_CORPUS && NO_CORPUS }, () => {
  const file = path.join(CORPUS, 'iptables', 'home-user.rules');
  const text = fs.readFileSync(file, 'utf8');
  const fa = analyseText(text, iptablesFormat, file, resolveSettings({}));
  const lines = text.split('\n');
  const conntrackRules = new Set(lines.flatMap((l, i) => (/--ctorig(dst|src)port (53|67|68)/.test(l) ? [i] : [])));
  assert.ok(conntrackRules.size >= 20);
  const bad = fa.findings.filter((f) => (f.code === 'PC102' || f.code === 'PC104') && conntrackRules.has(f.range.start.line));
  assert.deepEqual(bad, []);
  assert.ok(
    fa.exposure.chains.some((c) => c.grants.some((g) => g.protocol === 'udp' && g.ports.has(67) && g.iface === 'eth0.10')),
    'the DHCP rule still grants UDP 67',
  );
});

function AnyBut10(): string[] {
  return ['0.0.0.0/5', '8.0.0.0/7', '11.0.0.0/8', '12.0.0.0/6', '16.0.0.0/4', '32.0.0.0/3', '64.0.0.0/2', '128.0.0.0/1'];
}
