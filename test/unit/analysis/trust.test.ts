/**
 * Issue 11 (second half): pf last-match semantics in messages, hovers and fixes; interface-derived and table
 * sources; firewalld service destinations and zone wording; the severity policy; the quick-fix safety rule;
 * publishing order and collapsing for large files.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import test from 'node:test';
import type { Diagnostic } from 'vscode-languageserver';
import { resolveSettings } from '../../../server/src/analysis/settings';
import { codeActions, sourceNarrows } from '../../../server/src/features/code-actions';
import { forPublishing, toDiagnostic } from '../../../server/src/features/diagnostics';
import { hoverAt } from '../../../server/src/features/hover';
import { formatById } from '../../../server/src/formats/registry';
import type { Finding } from '../../../server/src/model/finding';
import { allRules } from '../../../server/src/model/ruleset';
import { analyseText, type FileAnalysis } from '../../../server/src/pipeline';
import { analyseRules, filterTable } from '../../support/analyse';
import { CORPUS, HAVE_CORPUS, NO_CORPUS } from '../../support/corpus';

const settings = resolveSettings({});
const X = { uri: 'file:///x', version: 1, snippets: 'none' as const };
const pf = (text: string) => analyseText(text, formatById('pf')!, '/etc/pf.conf', settings);
const zone = (text: string, file = '/etc/firewalld/zones/public.xml') => analyseText(text, formatById('firewalld')!, file, settings);
const byCode = (fa: FileAnalysis, code: string) => fa.findings.filter((f) => f.code === code);
const actionsFor = (fa: FileAnalysis, f: Finding) => codeActions(fa, X, [toDiagnostic(f, 'file:///x')]).map((a) => a.title);

test('pf: block all then pass port 22 — no PC105, no PC106, no delete fix; ssh is the exposure', () => {
  const fa = pf('block all\npass in proto tcp to port 22\n');
  assert.deepEqual(
    fa.findings.map((f) => f.code),
    ['PC101'],
  );
  assert.match(fa.findings[0].message, /through pf's inbound rules/);
  // Even asked for a fix of a PC105/PC106 on `block all`, the server offers no deletion (it would open every port).
  const block = allRules(fa.ruleset).find((r) => r.range.start.line === 0)!;
  for (const code of ['PC105', 'PC106']) {
    const synthetic: Diagnostic = { range: block.range, code, source: 'portcullis', message: '', data: { ruleId: block.id } };
    assert.ok(!codeActions(fa, X, [synthetic]).some((a) => a.title === 'Delete this rule'), `delete offered for ${code}`);
  }
});

test('pf PC105: advice in last-match terms (move below the later rule; quick rules decide first)', () => {
  const later = byCode(pf('pass in proto tcp to port 22\nblock in proto tcp to port 22 \npass in all\n'), 'PC105');
  assert.equal(later.length, 2);
  for (const f of later) {
    assert.match(f.message, /move it below line 3/i);
    assert.doesNotMatch(f.message, /above/);
  }
  // The pass can be deleted; the block is never advised away.
  assert.match(later[0].message, /^.*Delete it, or move it below line 3/);
  assert.doesNotMatch(later[1].message, /Delete/);
  const quick = byCode(pf('pass in quick proto tcp to port 23\nblock in proto tcp to port 23\n'), 'PC105');
  assert.equal(quick.length, 1);
  assert.match(quick[0].message, /a rule that stops evaluation decides first\)\. Move it above line 1 and let it stop evaluation there/);
  // iptables keeps first-match wording.
  const ipt = byCode(analyseRules(filterTable(['-A INPUT -p tcp --dport 22 -j DROP', '-A INPUT -p tcp --dport 22 -j ACCEPT'])), 'PC105');
  assert.match(ipt[0].message, /earlier rules \(line 5\) already decide all of its packets\. Delete it, or move it above line 5/);
});

test('pf hover: pass says evaluation stops only with quick', () => {
  const text = 'block all\npass in proto tcp to port 22\npass in quick proto tcp to port 80\nblock in proto tcp to port 25\n';
  const fa = pf(text);
  const hover = (line: number) => hoverAt(fa, { line, character: 1 }, settings)!.markdown;
  assert.match(hover(1), /^\*\*pass\*\* — lets the packet through unless a later rule also matches it: the last matching rule decides/);
  assert.doesNotMatch(hover(1), /evaluation stops/);
  assert.match(hover(2), /^\*\*pass\*\* — lets the packet through; evaluation stops\./);
  assert.match(hover(3), /discards the packet silently unless a later rule also matches it/);
  // iptables ACCEPT still stops evaluation.
  const ipt = analyseRules(filterTable(['-A INPUT -p tcp --dport 22 -j ACCEPT']));
  assert.match(hoverAt(ipt, { line: 4, character: ipt.lines[4].indexOf('ACCEPT') + 1 }, settings)!.markdown, /evaluation stops/);
});

test('pf: interface networks are local, never "any IPv4 address"; tables and host names are approximate, never errors', () => {
  const text = [
    'int_if = "em0"',
    'table <mgmt> persist',
    'table <admins> file "/etc/admins"',
    'table <lan> const { 192.168.0.0/16 }',
    'block in all',
    'pass in on $int_if proto tcp from $int_if:network to port { 22 3389 }',
    'pass in proto tcp from ($int_if) to port 3389',
    'pass in proto tcp from self to port 5900',
    'pass in on $int_if proto { tcp udp } from $int_if:broadcast',
    'pass in proto tcp from <mgmt> to port 3389',
    'pass in proto tcp from <admins> to port 5900',
    'pass in proto tcp from <lan> to port 23',
    'pass in proto tcp from ns1.example.org to port 3306',
  ].join('\n');
  const fa = pf(text);
  const on = (line: number) => fa.findings.filter((f) => f.range.start.line === line);
  for (const line of [5, 6, 7, 8])
    assert.deepEqual(
      on(line).map((f) => f.code),
      [],
      `line ${line + 1}: ${on(line)
        .map((f) => f.message)
        .join(' | ')}`,
    );
  for (const [line, name] of [
    [9, '<mgmt>'],
    [10, '<admins>'],
    [12, 'ns1.example.org'],
  ] as const) {
    const [f] = on(line);
    assert.equal(f?.code, 'PC101', `line ${line + 1}`);
    assert.equal(f.severity, 'warning');
    assert.ok(f.message.includes(`reachable from addresses in ${name} through`), f.message);
    assert.match(f.message, /approximate: depends on source .*resolved outside this file/);
    assert.doesNotMatch(f.message, /any IPv4 address/);
  }
  // A table with its elements in the file is exact: 192.168.0.0/16 is not the internet.
  assert.deepEqual(on(11), []);
  assert.ok(!fa.findings.some((f) => f.code === 'PC102' || f.code === 'PC104'));
});

test('pf PC104 on a non-quick pass all says it overrides what is above it, not that what follows is bypassed', () => {
  const [f] = byCode(pf('block in proto tcp to port 23\npass in all\n'), 'PC104');
  assert.match(f.message, /overrides every rule above it/);
  assert.doesNotMatch(f.message, /bypassed/);
  const [q] = byCode(pf('pass in quick all\nblock in proto tcp to port 23\n'), 'PC104');
  assert.match(q.message, /everything after it is bypassed/);
});

test('firewalld: the public zone with ssh, dhcpv6-client and mdns reports only ssh, "zone public"', () => {
  const fa = zone(
    '<?xml version="1.0" encoding="utf-8"?>\n<zone>\n  <service name="ssh"/>\n  <service name="dhcpv6-client"/>\n  <service name="mdns"/>\n</zone>\n',
  );
  const risky = fa.findings.filter((f) => f.code.startsWith('PC1'));
  assert.deepEqual(
    risky.map((f) => [f.code, f.range.start.line]),
    [['PC101', 2]],
  );
  assert.match(risky[0].message, /SSH.*through zone public\./);
  assert.doesNotMatch(risky[0].message, /chain/);
  // The exposure still lists the services, limited to their family and marked approximate.
  const v4 = fa.exposure.chains.find((c) => c.family === 'ipv4')!;
  const v6 = fa.exposure.chains.find((c) => c.family === 'ipv6')!;
  assert.ok(!v4.grants.some((g) => g.ports.has(546)), 'dhcpv6-client is IPv6 only');
  const dhcp6 = v6.grants.find((g) => g.ports.has(546))!;
  assert.ok(dhcp6.approximate && dhcp6.within?.[0].local);
  assert.match(dhcp6.within![0].text, /fe80::\/64/);
  const mdns4 = v4.grants.find((g) => g.ports.has(5353))!;
  assert.match(mdns4.within![0].text, /224\.0\.0\.251/);
});

test('firewalld: services with destinations from the corpus services folder, and includes keep their own destination', (t) => {
  if (!HAVE_CORPUS) return t.skip(NO_CORPUS);
  const file = path.join(CORPUS, 'firewalld/zones/home.xml');
  const text =
    '<?xml version="1.0" encoding="utf-8"?>\n<zone>\n  <service name="ssdp"/>\n  <service name="llmnr"/>\n  <service name="mdns"/>\n</zone>\n';
  const fa = zone(text, file);
  assert.deepEqual(
    fa.findings.filter((f) => f.code.startsWith('PC1')).map((f) => f.message),
    [],
  );
  // llmnr includes llmnr-tcp (no destination: reachable) and llmnr-udp (multicast only).
  const v4 = fa.exposure.chains.find((c) => c.family === 'ipv4')!;
  assert.ok(v4.grants.some((g) => g.protocol === 'tcp' && g.ports.has(5355) && !g.within));
  assert.ok(v4.grants.some((g) => g.protocol === 'udp' && g.ports.has(5355) && g.within?.[0].local));
});

test('severity policy: an approximate verdict is never an error; PC104 only for exact matches; lists name the approximation', () => {
  const fa = analyseRules(
    filterTable([
      '-A INPUT -p tcp --dport 3389 -m limit --limit 5/s -j ACCEPT',
      '-A INPUT -p tcp -m multiport --dports 20:30 -m mark --mark 1 -j ACCEPT',
      '-A INPUT -m mark --mark 2 -j ACCEPT',
      '-A INPUT -p tcp --dport 5900 -j ACCEPT',
    ]),
  );
  const rdp = fa.findings.find((f) => f.code === 'PC101' && f.range.start.line === 4)!;
  assert.equal(rdp.severity, 'warning');
  assert.match(rdp.message, /approximate/);
  const range = fa.findings.find((f) => f.code === 'PC102' && f.range.start.line === 5)!;
  assert.equal(range.severity, 'warning');
  assert.match(range.message, /may open risky ports .*\(approximate: depends on --mark 1\)/);
  assert.match(range.message, /23\/tcp Telnet[^,]*\(approximate\)/);
  assert.ok(!fa.findings.some((f) => f.code === 'PC104'), 'an approximate match is not "everything after it is bypassed"');
  assert.ok(!fa.findings.some((f) => f.severity === 'error' && f.code.startsWith('PC1') && /approximate/.test(f.message)));
  const vnc = fa.findings.find((f) => f.code === 'PC101' && f.range.start.line === 7)!;
  assert.equal(vnc.severity, 'error', 'an exact verdict keeps its severity');
});

test('safety rule: no fix deletes or narrows a block rule; source restriction only where it narrows', () => {
  const fa = analyseRules(
    filterTable(
      [
        '-A INPUT -p tcp --dport 23 -j DROP',
        '-A INPUT -p tcp --dport 23 -j DROP',
        '-A INPUT ! -s 0.0.0.0/1 -p tcp --dport 3389 -j ACCEPT',
        '-A INPUT -s 0.0.0.0/1 -p tcp --dport 3389 -j ACCEPT',
      ],
      'ACCEPT',
    ),
  );
  const rules = allRules(fa.ruleset);
  for (const code of ['PC004', 'PC101', 'PC102', 'PC104', 'PC105', 'PC106']) {
    for (const r of rules.filter((x) => x.action.kind === 'drop')) {
      const titles = codeActions(fa, X, [{ range: r.range, code, source: 'portcullis', message: '', data: { ruleId: r.id } }]).map(
        (a) => a.title,
      );
      assert.deepEqual(titles, [`Suppress ${code} on this line (with a reason)`], `${code} on a DROP rule`);
    }
  }
  const [, , wide, half] = rules;
  assert.ok(sourceNarrows(wide, '192.0.2.0/24'), '! -s 0.0.0.0/1 admits 192.0.2.0/24');
  assert.ok(!sourceNarrows(half, '192.0.2.0/24'), '-s 0.0.0.0/1 does not: replacing it would open 192.0.2.0/24');
  const rdp = fa.findings.find((f) => f.code === 'PC101' && f.range.start.line === 7);
  if (rdp) assert.ok(!actionsFor(fa, rdp).some((t) => t.startsWith('Restrict')));
  // The default-deny fix appends loopback and reply rules after the last rule, so the DROPs above still decide.
  const pc103 = fa.findings.find((f) => f.code === 'PC103')!;
  const fix = codeActions(fa, X, [toDiagnostic(pc103, 'file:///x')]).find((a) => a.title.startsWith('Set INPUT policy'))!;
  const inserted = fix.edit!.changes!['file:///x'].find((e) => e.newText.includes('-i lo'))!;
  assert.equal(inserted.range.start.line, 8);
});

test('publishing: analysis findings first, identical syntax problems collapsed with a count', () => {
  const mk = (code: string, line: number, message: string): Finding => ({
    code,
    severity: code === 'PC001' ? 'error' : 'warning',
    message,
    range: { start: { line, character: 0 }, end: { line, character: 1 } },
  });
  const findings = [
    ...Array.from({ length: 1653 }, (_, i) => mk('PC001', i, 'invalid MAC address `XX`')),
    mk('PC001', 5, 'other'),
    mk('PC001', 6, 'other'),
    mk('PC101', 2000, 'risky'),
    mk('PC105', 1, 'shadowed'),
  ];
  const out = forPublishing(findings);
  assert.deepEqual(
    out.map((f) => f.code),
    ['PC105', 'PC101', 'PC001', 'PC001', 'PC001'],
  );
  const mac = out.find((f) => f.message.startsWith('invalid MAC'))!;
  assert.match(mac.message, /\(1653 times in this file; also on line 2, 3, 4, 5, 6, …\)$/);
  assert.equal(mac.range.start.line, 0);
  assert.equal(mac.related?.length, 20);
  assert.equal(out.filter((f) => f.message === 'other').length, 2, 'a problem repeated only a few times stays on each line');
});
