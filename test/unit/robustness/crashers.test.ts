/**
 * One regression test per crasher class found by fuzzing and the adversarial run (issue 14): each input used to
 * loop for ever (out of memory) or surface as "PC001 internal parser error"; now each ends promptly with syntax
 * diagnostics only.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { resolveSettings } from '../../../server/src/analysis/settings';
import { formatById } from '../../../server/src/formats/registry';
import { lex } from '../../../server/src/formats/nftables/lexer';
import { lexPf } from '../../../server/src/formats/pf/parse';
import { hoverAt } from '../../../server/src/features/hover';
import { tokenizeLine } from '../../../server/src/formats/tokenize';
import { analyseText, type FileAnalysis } from '../../../server/src/pipeline';

function analyse(formatId: string, text: string): FileAnalysis {
  const t = performance.now();
  const fa = analyseText(text, formatById(formatId)!, `/tmp/crasher.${formatId}`, resolveSettings({}));
  assert.ok(performance.now() - t < 5000, 'ends promptly');
  const internal = fa.findings.filter((f) => f.message.startsWith('internal parser error'));
  assert.deepEqual(internal, [], 'no internal parser error');
  return fa;
}

const messages = (fa: FileAnalysis): string[] => fa.findings.map((f) => `${f.code} ${f.message}`);

// Blanks that used to make the pf lexer push empty words for ever: each is whitespace now.
for (const [name, blank] of [
  ['no-break space', '\u00a0'],
  ['U+FEFF after offset 0', '\ufeff'],
  ['form feed', '\f'],
  ['vertical tab', '\v'],
  ['ideographic space', '\u3000'],
]) {
  test(`pf: ${name} separates words`, () => {
    const toks = lexPf(`pass${blank}in${blank}proto tcp to port 22\n`)[0];
    assert.deepEqual(
      toks.map((t) => t.text),
      ['pass', 'in', 'proto', 'tcp', 'to', 'port', '22'],
    );
    const fa = analyse('pf', `pass${blank}in proto tcp to port 3389\n`);
    assert.ok(
      fa.findings.some((f) => f.code === 'PC101'),
      messages(fa).join('\n'),
    );
  });
  test(`nftables and iptables: ${name} separates words`, () => {
    assert.deepEqual(
      lex(`tcp${blank}dport 22`)
        .filter((t) => t.kind === 'word')
        .map((t) => t.text),
      ['tcp', 'dport', '22'],
    );
    assert.deepEqual(
      tokenizeLine(`-A${blank}INPUT -j ACCEPT`).tokens.map((t) => t.text),
      ['-A', 'INPUT', '-j', 'ACCEPT'],
    );
  });
}

test('pf: a backslash before a lone CR is an ordinary character, not a continuation or an empty word', () => {
  const toks = lexPf('pass in proto tcp \\\rto port 22\n').flat();
  assert.ok(toks.every((t) => t.end > t.start), 'no empty token');
  assert.ok(toks.some((t) => t.text === '\\'));
  analyse('pf', 'pass in proto tcp \\\r\n');
  analyse('pf', '\\\r');
});

test('nftables: a backslash before a lone CR', () => {
  const toks = lex('table inet f { \\\r chain c { } }\n');
  assert.ok(toks.filter((t) => t.kind !== 'eof').every((t) => t.end > t.start), 'no empty token');
  analyse('nftables', 'table inet f {\\\rchain input { type filter hook input priority 0; tcp dport 22 accept; }\n}\n');
  analyse('nftables', '\\\r');
});

test('pf: an unterminated port list `port {`', () => {
  const fa = analyse('pf', 'pass in proto tcp to port {\n');
  assert.ok(messages(fa).some((m) => /unbalanced `\{`/.test(m)), messages(fa).join('\n'));
  analyse('pf', 'pass in proto tcp to port { 80, 443\n');
  analyse('pf', 'pass in proto tcp to port { 21, \\\n');
});

test('pf: a keyword with nothing after it (`proto`, `port`, `on`, a port operator)', () => {
  for (const text of ['pass in inet proto\n', 'pass in proto tcp to any port\n', 'pass in on\n', 'pass in proto tcp to port <\n']) {
    const fa = analyse('pf', text);
    assert.ok(fa.findings.some((f) => f.code === 'PC001' && /expected/.test(f.message)), `${JSON.stringify(text)}: ${messages(fa).join('; ')}`);
  }
});

test('pf: unterminated host lists and groups', () => {
  for (const text of ['pass in from { 10.0.0.1, 10.0.0.2\n', 'pass in from ! { 10.0.0.1\n', 'pass in from (em0\n']) {
    const fa = analyse('pf', text);
    assert.ok(messages(fa).some((m) => /unbalanced/.test(m)), `${JSON.stringify(text)}: ${messages(fa).join('; ')}`);
  }
});

test('pf: macros that double in size per definition stop expanding at a limit', () => {
  const lines = ['a = "x y"'];
  for (let i = 1; i < 40; i++) lines.push(`m${i} = "$${i === 1 ? 'a' : `m${i - 1}`} $${i === 1 ? 'a' : `m${i - 1}`}"`);
  lines.push('pass in proto tcp from $m39 to port 22');
  const fa = analyse('pf', lines.join('\n') + '\n');
  assert.ok(messages(fa).some((m) => /more than 65536 characters/.test(m)));
});

test('iptables: `--comment "!"` without -m comment', () => {
  const fa = analyse('iptables', '*filter\n-A o --comment "!" \nCOMMIT\n');
  assert.ok(messages(fa).some((m) => /PC008 unknown option `--comment`/.test(m)));
});

test('iptables: a known option with its module missing and no value', () => {
  for (const opt of ['--comment', '--dport', '--state', '--tcp-flags', '--src-range', '--mac-source']) {
    const fa = analyse('iptables', `*filter\n:INPUT DROP [0:0]\n-A INPUT ${opt}\nCOMMIT\n`);
    assert.ok(messages(fa).some((m) => new RegExp(`PC001 \`${opt}\` needs (a|1) value`).test(m)), `${opt}: ${messages(fa).join('; ')}`);
  }
});

test('hover on a numeric port of a rule whose protocol is neither TCP nor UDP', () => {
  const text = '*filter\n:INPUT DROP [0:0]\n-A INPUT -p u$dp --dport 22 -j ACCEPT\nCOMMIT\n';
  const fa = analyse('iptables', text);
  const character = text.split('\n')[2].indexOf('22');
  assert.doesNotThrow(() => hoverAt(fa, { line: 2, character }, resolveSettings({})));
});
