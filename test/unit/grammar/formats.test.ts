/** Grammar tests for the nftables, pf and firewalld grammars: key tokens get their scopes; the corpus tokenizes. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import test from 'node:test';
import { HAVE_CORPUS, NO_CORPUS, corpusFiles } from '../../support/corpus';
import { scopeOf, tokenize } from '../../support/textmate';

const has = (scopes: string[], prefix: string) => scopes.some((s) => s.startsWith(prefix));

test('nftables grammar', async () => {
  const [t, r, c] = await tokenize('source.nftables', [
    'table inet filter {',
    '  ip saddr 10.0.0.0/8 tcp dport { 22, 3389 } accept # admin',
    '  define wan = $ext',
  ]);
  assert.ok(has(scopeOf(t, 'table'), 'keyword.other'));
  assert.ok(has(scopeOf(t, 'inet'), 'support.type.family'));
  assert.ok(has(scopeOf(r, '10.0.0.0/8'), 'constant.other.ip-address'));
  assert.ok(has(scopeOf(r, '3389'), 'constant.numeric'));
  assert.ok(has(scopeOf(r, 'accept'), 'keyword.control.verdict'));
  assert.ok(has(scopeOf(r, '# admin'), 'comment.line'));
  assert.ok(has(scopeOf(c, '$ext'), 'variable.other'));
});

test('pf grammar', async () => {
  const [m, r] = await tokenize('source.pf', [
    'ext_if = "em0"',
    'pass in quick on $ext_if proto tcp from <trusted> to any port 3389 keep state',
  ]);
  assert.ok(has(scopeOf(m, 'ext_if'), 'variable.other.definition'));
  assert.ok(has(scopeOf(r, 'pass'), 'keyword.control.action'));
  assert.ok(has(scopeOf(r, '$ext_if'), 'variable.other'));
  assert.ok(has(scopeOf(r, '<trusted>'), 'variable.other.table'));
  assert.ok(has(scopeOf(r, '3389'), 'constant.numeric'));
});

test('firewalld grammar', async () => {
  const [z, p] = await tokenize('text.xml.firewalld', ['<zone target="DROP"> <!-- public -->', '  <port protocol="tcp" port="3389"/>']);
  assert.ok(has(scopeOf(z, 'zone'), 'entity.name.tag.firewalld'));
  assert.ok(has(scopeOf(z, '<!--'), 'comment.block'));
  assert.ok(has(scopeOf(p, '3389'), 'constant.numeric.port'));
});

test('terraform grammar', async () => {
  const [r, a, c] = await tokenize('source.terraform.portcullis', [
    'resource "aws_security_group" "web" {',
    '  cidr_blocks = ["0.0.0.0/0", var.admin] # open',
    '  from_port = 3389',
  ]);
  assert.ok(has(scopeOf(r, 'resource'), 'keyword.other.block'));
  assert.ok(has(scopeOf(a, 'cidr_blocks'), 'variable.other.property'));
  assert.ok(has(scopeOf(a, '0.0.0.0/0'), 'constant.other.ip-address'));
  assert.ok(has(scopeOf(a, 'var.admin'), 'variable.other.reference'));
  assert.ok(has(scopeOf(a, '# open'), 'comment.line'));
  assert.ok(has(scopeOf(c, '3389'), 'constant.numeric'));
});

test('every corpus nftables, pf and firewalld line tokenizes', { skip: !HAVE_CORPUS && NO_CORPUS }, async () => {
  let lines = 0;
  for (const [scope, dirs] of [
    ['source.nftables', ['nftables', 'nftables-translated']],
    ['source.pf', ['pf']],
    ['text.xml.firewalld', ['firewalld/zones', 'firewalld/services', 'firewalld/policies']],
    ['source.terraform.portcullis', ['terraform', 'terraform/checkov-azure-nsg-http-dynamic']],
  ] as const) {
    for (const f of dirs.flatMap((d) => corpusFiles(d, (n) => !n.endsWith('.md') && !n.startsWith('checkov-azure-nsg-http-dynamic')))) {
      const text = fs.readFileSync(f, 'utf8').split('\n');
      lines += text.length;
      await tokenize(scope, text);
    }
  }
  assert.ok(lines > 5000, `${lines} lines`);
});

test('services grammar', async () => {
  const [e, c] = await tokenize('source.services', ['chargen\t\t19/udp\t\tttytst source\t# comment', '# Network services, Internet style']);
  assert.ok(has(scopeOf(e, 'chargen'), 'entity.name.function.service'));
  assert.ok(has(scopeOf(e, '19'), 'constant.numeric.port'));
  assert.ok(has(scopeOf(e, 'udp'), 'support.type.protocol'));
  assert.ok(has(scopeOf(e, 'ttytst'), 'variable.other.alias'));
  assert.ok(has(scopeOf(e, '# comment'), 'comment.line'));
  assert.ok(has(scopeOf(c, '# Network services, Internet style'), 'comment.line'));
});
