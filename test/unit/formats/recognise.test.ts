/** File recognition: names each format claims, and the content sniff for files opened as plain text. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'node:test';
import { formatForPath } from '../../../server/src/formats/registry';
import { sniffFormat } from '../../../server/src/formats/sniff';
import { CORPUS } from './helpers';

test('names: sysconfig, iptables.conf, *.v4/*.v6, *-pf.conf, pf anchors; other .conf files are not claimed', () => {
  const cases: [string, string | undefined][] = [
    ['/etc/sysconfig/iptables', 'iptables'],
    ['/etc/sysconfig/ip6tables', 'iptables'],
    ['/etc/iptables.conf', 'iptables'],
    ['backup/host1.v4', 'iptables'],
    ['backup/host1.v6', 'iptables'],
    ['/etc/iptables/rules.v4', 'iptables'],
    ['examples/freebsd-examples-pf.conf', 'pf'],
    ['/etc/pf-home.conf', 'pf'],
    ['/etc/pf.anchors/com.apple', 'pf'],
    ['rules/ftp.anchor', 'pf'],
    ['/etc/nftables.conf', 'nftables'],
    ['/etc/nginx/nginx.conf', undefined],
    ['/etc/ssh/sshd_config', undefined],
    ['/etc/sysconfig/network', undefined],
    ['/etc/resolv.conf', undefined],
    ['/etc/tmpfiles.d/profile.conf', undefined],
  ];
  for (const [p, want] of cases) assert.equal(formatForPath(p)?.id, want, p);
});

test('sniff: short samples of each format, and configuration files that are not firewall rules', () => {
  assert.equal(sniffFormat('# saved\n*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n'), 'iptables');
  assert.equal(sniffFormat('#!/usr/sbin/nft -f\nflush ruleset\ntable inet filter {\n}\n'), 'nftables');
  assert.equal(sniffFormat('add table inet f\nadd rule inet f input tcp dport 22 accept\n'), 'nftables');
  assert.equal(sniffFormat('table filter {\n\tchain input { type filter hook input priority 0; }\n}\n'), 'nftables');
  assert.equal(sniffFormat('ext_if = "em0"\nset skip on lo\nblock all\npass out quick\n'), 'pf');
  assert.equal(sniffFormat('\uFEFF<?xml version="1.0" encoding="utf-8"?>\n<zone>\n  <short>Work</short>\n</zone>\n'), 'firewalld');
  for (const other of [
    'server {\n  listen 80;\n  location / { proxy_pass http://app; }\n}\n',
    'Port 22\nPermitRootLogin no\nPasswordAuthentication no\n',
    '[Unit]\nDescription=block device\n[Service]\nExecStart=/bin/true\n',
    '# Notes\nblock the port later\npass the ticket to ops\n',
    'table of contents\n- intro\n',
    '',
  ]) assert.equal(sniffFormat(other), undefined, JSON.stringify(other.slice(0, 40)));
});

test('sniff on the corpus: every iptables, nftables, pf and firewalld zone file is recognised as its format', (t) => {
  const dirs: [string, string, (f: string) => boolean][] = [
    ['iptables', 'iptables', () => true],
    ['nftables', 'nftables', () => true],
    // FreeBSD's example is commented out from top to bottom: nothing to recognise.
    ['pf', 'pf', (f) => f !== 'freebsd-examples-pf.conf'],
    ['firewalld/zones', 'firewalld', (f) => f.endsWith('.xml')],
  ];
  let n = 0;
  const wrong: string[] = [];
  for (const [dir, want, keep] of dirs) {
    const d = path.join(CORPUS, dir);
    if (!fs.existsSync(d)) continue;
    for (const f of fs.readdirSync(d).filter((x) => !x.endsWith('.md') && keep(x))) {
      n++;
      const got = sniffFormat(fs.readFileSync(path.join(d, f), 'utf8'));
      if (got !== want) wrong.push(`${dir}/${f}: ${got}`);
    }
  }
  if (!n) return t.skip(`../shared/corpus not found at ${CORPUS}`);
  t.diagnostic(`${n} corpus files sniffed, ${n - wrong.length} recognised`);
  assert.deepEqual(wrong, []);
});
