import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'node:test';
import { analyseExposure, sourcesFor } from '../../../server/src/analysis/exposure';
import { nftablesEdits } from '../../../server/src/formats/nftables/edits';
import { parseNftables } from '../../../server/src/formats/nftables/parse';
import { AddressSet } from '../../../server/src/model/addresses';
import { allRules } from '../../../server/src/model/ruleset';
import { CORPUS, NFT_REJECTS, ctx } from './helpers';

const parse = (text: string) => parseNftables(text, ctx);
const codes = (text: string) => parse(text).problems.map((p) => p.code);
const corpusDir = (d: string) =>
  fs.existsSync(path.join(CORPUS, d))
    ? fs
        .readdirSync(path.join(CORPUS, d))
        .filter((f) => !f.endsWith('.md'))
        .sort()
        .map((f) => path.join(CORPUS, d, f))
    : [];

test('block style: base chain, policy, ports, sets, state, verdicts', () => {
  const rs = parse(`table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    iif lo accept
    ct state established,related accept
    tcp dport { 22, 80-81, https } accept
    ip saddr 10.0.0.0/8 udp dport 53 accept
    ip6 saddr != fe80::/10 tcp dport 8080 reject with tcp reset
    counter drop
  }
}`);
  assert.deepEqual(rs.problems, []);
  const c = rs.tables[0].chains[0];
  assert.equal(c.hook, 'input');
  assert.equal(c.policy, 'drop');
  assert.equal(c.family, 'both');
  assert.equal(c.rules.length, 6);
  const dport = c.rules[2].conditions.find((x) => x.kind === 'dport');
  assert.ok(dport && dport.kind === 'dport');
  assert.deepEqual(
    dport.items.map((i) => [i.lo, i.hi, i.service]),
    [
      [22, 22, undefined],
      [80, 81, undefined],
      [443, 443, 'https'],
    ],
  );
  assert.equal(c.rules[5].action.kind, 'drop');
  const ex = analyseExposure(rs);
  const v4 = ex.chains.find((x) => x.family === 'ipv4')!;
  const v6 = ex.chains.find((x) => x.family === 'ipv6')!;
  assert.ok(sourcesFor(v4, 'tcp', 22).isAnyV4());
  assert.ok(sourcesFor(v4, 'udp', 53).equals(AddressSet.parse('10.0.0.0/8')!));
  // `ip saddr` only matches IPv4: no UDP 53 for IPv6.
  assert.ok(sourcesFor(v6, 'udp', 53).isEmpty());
  assert.ok(sourcesFor(v6, 'tcp', 443).isAnyV6());
});

test('command style, variables, named sets, jumps', () => {
  const rs = parse(`define admin = { 192.0.2.1, 192.0.2.2 }
define web = { http, https }
add table ip filter
add chain ip filter INPUT { type filter hook input priority 0; policy drop; }
add chain ip filter svc
add set ip filter blocked { type ipv4_addr; elements = { 198.51.100.0/24 } }
add rule ip filter INPUT ip saddr @blocked drop
add rule ip filter INPUT jump svc
add rule ip filter svc ip saddr $admin tcp dport 22 counter accept
add rule ip filter svc tcp dport $web accept
`);
  assert.deepEqual(rs.problems, []);
  const ex = analyseExposure(rs);
  const ce = ex.chains[0];
  assert.ok(sourcesFor(ce, 'tcp', 22).equals(AddressSet.parse('192.0.2.1/32')!.union(AddressSet.parse('192.0.2.2/32')!)));
  assert.ok(sourcesFor(ce, 'tcp', 80).equals(AddressSet.ANY_V4.subtract(AddressSet.parse('198.51.100.0/24')!)));
});

test('errors: braces, ports, ranges, protocols, undefined names, keywords', () => {
  assert.ok(codes('table ip t {\n chain c {\n  tcp dport 22 accept\n').every((c) => c === 'PC001'));
  assert.ok(codes('table ip t {\n chain c {\n  tcp dport 22 accept\n').length >= 1);
  assert.deepEqual(codes('table ip t {\n chain c {\n }\n}\n}\n'), ['PC001']);
  assert.deepEqual(codes('table ip t { chain c { tcp dport 70000 accept; } }'), ['PC002']);
  assert.deepEqual(codes('table ip t { chain c { udp dport 60000-29 accept; } }'), ['PC003']);
  assert.deepEqual(codes('table ip t { chain c { ip protocol icmp tcp dport 22 accept; } }'), ['PC004']);
  assert.deepEqual(codes('table ip t { chain c { jump nowhere; } }'), ['PC005']);
  assert.deepEqual(codes('table ip t { chain c { ip saddr @nope accept; } }'), ['PC001']);
  assert.deepEqual(codes('table ip t { chain c { tcp dport $nope accept; } }'), ['PC001']);
  assert.deepEqual(codes('table ip t { chain c { tcp dport nosuchservice accept; } }'), ['PC011']);
  assert.deepEqual(codes('table ip t { chain c { frobnicate 3 accept; } }'), ['PC001']);
  assert.deepEqual(codes('add table ip t\nadd chain ip t reject\n'), ['PC001']);
  assert.deepEqual(codes('add table ip t\nadd chain ip t GOOD~STUFF\n'), ['PC001']);
  // Recovery: the next line is still read.
  const rs = parse('table ip t {\n chain c {\n  type filter hook input priority 0;\n  frobnicate\n  tcp dport 22 accept\n }\n}\n');
  assert.equal(rs.tables[0].chains[0].rules.length, 1);
  const bad = parse('table ip t { chain c { udp dport 60000-29 accept; } }').problems[0];
  assert.equal(bad.range.start.character, 'table ip t { chain c { udp dport '.length);
  assert.equal(bad.range.end.character, 'table ip t { chain c { udp dport 60000-29'.length);
});

test('edits: add protocol, verdict, restrict source, default drop', () => {
  const text =
    'table ip t {\n chain input {\n  type filter hook input priority 0; policy accept;\n  th dport 22 accept\n  tcp dport 3389 accept\n }\n}\n';
  const lines = text.split('\n');
  const rs = parse(text);
  const [r1, r2] = allRules(rs);
  assert.equal(nftablesEdits.addProtocol(r1, lines, 'tcp')?.newText, 'meta l4proto tcp ');
  assert.deepEqual(nftablesEdits.setVerdict(r2, lines, 'drop'), {
    range: r2.action.kind === 'accept' ? r2.action.range : undefined,
    newText: 'drop',
  });
  const rsEdit = nftablesEdits.restrictSource(r2, lines, '192.0.2.0/24')!;
  assert.equal(rsEdit.newText, 'ip saddr 192.0.2.0/24 ');
  assert.equal(rsEdit.range.start.character, 2);
  const dd = nftablesEdits.setDefaultDrop(rs.tables[0].chains[0], lines)!;
  assert.equal(dd[0].newText, 'drop');
  const cmd =
    'add table ip f\nadd chain ip f INPUT { type filter hook input priority 0; policy accept; }\nadd rule ip f INPUT tcp dport 22 accept\n';
  const r = allRules(parse(cmd))[0];
  const e = nftablesEdits.restrictSource(r, cmd.split('\n'), '192.0.2.0/24')!;
  assert.equal(e.range.start.character, 'add rule ip f INPUT '.length);
});

test("every file in corpus/nftables and nftables-translated parses with no false errors; nft-rejected files err exactly on nft's lines", (t) => {
  const files = [...corpusDir('nftables'), ...corpusDir('nftables-translated')];
  if (!files.length) return t.skip(`corpus not found at ${CORPUS}`);
  const wrong: string[] = [];
  for (const f of files) {
    const rs = parse(fs.readFileSync(f, 'utf8'));
    const lines = [...new Set(rs.problems.filter((p) => p.severity === 'error').map((p) => p.range.start.line + 1))].sort((a, b) => a - b);
    const expected = path.dirname(f).endsWith('nftables-translated') ? NFT_REJECTS[path.basename(f)] : undefined;
    if (!expected) {
      if (rs.problems.length)
        wrong.push(`${path.basename(f)}: ${rs.problems.map((p) => `${p.code}@${p.range.start.line + 1} ${p.message}`).join('; ')}`);
    } else if (
      JSON.stringify(lines.slice(0, expected.length)) !== JSON.stringify(expected) ||
      (expected.length < 10 && lines.length !== expected.length)
    ) {
      wrong.push(`${path.basename(f)}: error lines ${lines.slice(0, 12).join(',')} ≠ nft ${expected.join(',')}`);
    }
  }
  assert.deepEqual(wrong, []);
  assert.ok(files.length >= 59, `${files.length} files`);
});
