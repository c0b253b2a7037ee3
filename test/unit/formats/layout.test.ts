/**
 * Format Document for nftables and pf: exact layouts on small inputs, and on every corpus file that formatting
 * twice changes nothing, that no token changes, and (nft in a throwaway network namespace) that `nft -c`
 * accepts the formatted file exactly when it accepts the original.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'node:test';
import { formatText } from '../../../server/src/features/formatting';
import { nftablesFormat } from '../../../server/src/formats/nftables';
import { lex } from '../../../server/src/formats/nftables/lexer';
import { pfFormat } from '../../../server/src/formats/pf';
import { parsePf } from '../../../server/src/formats/pf/parse';
import { CORPUS, ctx } from './helpers';

const TABS = { tabSize: 4, insertSpaces: false };
const SPACES = { tabSize: 2, insertSpaces: true };
const nft = (text: string, o = SPACES) => formatText(nftablesFormat, text, o)!;
const pf = (text: string, o = SPACES) => formatText(pfFormat, text, o)!;

test('nftables: blocks indented, one statement per line, the chain header kept on one line, sets spaced', () => {
  const input = [
    'table inet filter { chain input { type filter hook input priority 0; policy drop;',
    'iif lo accept ; tcp dport {22,80 ,443} accept   # web and ssh   ',
    '      ct state {established,related} accept',
    '}',
    '',
    '',
    '',
    'chain fwd{type filter hook forward priority 0; policy drop; }',
    'set blocked { type ipv4_addr; flags interval; elements = { 192.0.2.0/24,198.51.100.0/24 } }',
    '}',
  ].join('\n');
  assert.equal(
    nft(input),
    [
      'table inet filter {',
      '  chain input {',
      '    type filter hook input priority 0; policy drop;',
      '    iif lo accept;',
      '    tcp dport { 22, 80, 443 } accept # web and ssh',
      '    ct state { established, related } accept',
      '  }',
      '',
      '  chain fwd {',
      '    type filter hook forward priority 0; policy drop;',
      '  }',
      '  set blocked {',
      '    type ipv4_addr;',
      '    flags interval;',
      '    elements = { 192.0.2.0/24, 198.51.100.0/24 }',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
});

test('nftables: multi-line sets are indented inside their braces; strings and comments are kept as written', () => {
  const input = [
    'define  ports = {',
    '22,',
    '   80',
    '}',
    'table ip t {',
    'chain c {',
    'tcp dport $ports log prefix "a  {b}; c" # x  ;  y',
    '}',
    '}',
    '',
  ].join('\n');
  assert.equal(
    nft(input, TABS),
    [
      'define ports = {',
      '\t22,',
      '\t80',
      '}',
      'table ip t {',
      '\tchain c {',
      '\t\ttcp dport $ports log prefix "a  {b}; c" # x  ;  y',
      '\t}',
      '}',
      '',
    ].join('\n'),
  );
});

test('pf: anchors and continuation lines indented, lists spaced, alignment and child queues kept', () => {
  const input = [
    'ext_if  = "em0"   ',
    'pass in on $ext_if proto tcp to port {22,80} \\',
    'keep state',
    'anchor "ftp" {',
    'pass in proto tcp to port 21',
    '}',
    'queue parent bandwidth 1Mb { a, b }',
    '  queue a bandwidth 50%',
    'block all\t\t# default deny',
    '',
  ].join('\n');
  assert.equal(
    pf(input),
    [
      'ext_if  = "em0"',
      'pass in on $ext_if proto tcp to port { 22, 80 } \\',
      '  keep state',
      'anchor "ftp" {',
      '  pass in proto tcp to port 21',
      '}',
      'queue parent bandwidth 1Mb { a, b }',
      '  queue a bandwidth 50%',
      'block all\t\t# default deny',
      '',
    ].join('\n'),
  );
});

function corpus(dir: string): string[] {
  const d = path.join(CORPUS, dir);
  return fs.existsSync(d)
    ? fs
        .readdirSync(d)
        .filter((f) => !f.endsWith('.md'))
        .sort()
        .map((f) => path.join(d, f))
    : [];
}

const tokens = (text: string) =>
  lex(text)
    .filter((t) => t.kind !== 'nl')
    .map((t) => `${t.kind}:${t.text}`);

test('nftables corpus: formatting is idempotent and changes no token', (t) => {
  const files = [...corpus('nftables'), ...corpus('nftables-translated')];
  if (!files.length) return t.skip(`../shared/corpus not found at ${CORPUS}`);
  let changed = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    for (const o of [TABS, SPACES]) {
      const once = nft(text, o);
      assert.equal(nft(once, o), once, `${path.basename(file)}: formatting twice changes the file`);
      assert.deepEqual(tokens(once), tokens(text), `${path.basename(file)}: a token changed`);
      if (o === TABS && once !== text) changed++;
    }
  }
  t.diagnostic(`${files.length} nftables files, ${changed} reformatted, all idempotent`);
});

test('pf corpus: formatting is idempotent and changes no word; the parse finds the same rules', (t) => {
  const files = corpus('pf');
  if (!files.length) return t.skip(`../shared/corpus not found at ${CORPUS}`);
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const once = pf(text, TABS);
    assert.equal(pf(once, TABS), once, `${path.basename(file)}: formatting twice changes the file`);
    assert.equal(once.replace(/\s+/g, ''), text.replace(/\s+/g, ''), `${path.basename(file)}: a word changed`);
    const rules = (s: string) =>
      parsePf(s, ctx).tables.flatMap((x) => x.chains.flatMap((c) => c.rules.map((r) => `${r.action.kind} ${r.conditions.length}`)));
    assert.deepEqual(rules(once), rules(text), `${path.basename(file)}: the parse differs`);
  }
  t.diagnostic(`${files.length} pf files idempotent`);
});

function nftUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'needs root (network namespace)';
  for (const tool of ['nft', 'ip']) if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} not installed`;
  return undefined;
}

test('nftables corpus: nft -c accepts the formatted file exactly when it accepts the original', (t) => {
  const why = nftUnavailable() ?? (corpus('nftables').length ? undefined : `../shared/corpus not found at ${CORPUS}`);
  if (why) return t.skip(why);
  const ns = `pc-fmt-${process.pid}`;
  if (spawnSync('ip', ['netns', 'add', ns]).status !== 0) return t.skip('cannot create a network namespace');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-fmt-'));
  let checked = 0;
  try {
    const accepts = (file: string) =>
      spawnSync('ip', ['netns', 'exec', ns, 'nft', '-c', '-f', file], { encoding: 'utf8', cwd: path.dirname(file) }).status === 0;
    let accepted = 0;
    for (const dir of ['nftables', 'nftables-translated']) {
      // Formatted copies side by side, so relative `include`s read the formatted siblings.
      const out = fs.mkdtempSync(path.join(tmp, `${dir}-`));
      const files = corpus(dir);
      for (const file of files) fs.writeFileSync(path.join(out, path.basename(file)), nft(fs.readFileSync(file, 'utf8'), TABS));
      for (const file of files) {
        const before = accepts(file);
        assert.equal(
          accepts(path.join(out, path.basename(file))),
          before,
          `${dir}/${path.basename(file)}: nft -c ${before ? 'rejects' : 'accepts'} the formatted file`,
        );
        if (before) accepted++;
        checked++;
      }
    }
    t.diagnostic(`nft -c: ${accepted} of ${checked} corpus files accepted, before and after formatting (the others rejected both times)`);
  } finally {
    spawnSync('ip', ['netns', 'delete', ns]);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
