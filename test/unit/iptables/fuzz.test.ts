/** Bounded fuzzing: mutated corpus lines must never throw or hang the parser or the analysis. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import test from 'node:test';
import { resolveSettings } from '../../../server/src/analysis/settings';
import { iptablesFormat } from '../../../server/src/formats/iptables';
import { analyseText } from '../../../server/src/pipeline';
import { HAVE_CORPUS, corpusFiles } from '../../support/corpus';

/** Small deterministic PRNG so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const FALLBACK = [
  '*filter',
  ':INPUT DROP [0:0]',
  '-A INPUT -p tcp -m multiport --dports 22,80:90 -s 10.0.0.0/8 -j ACCEPT',
  '-A INPUT ! -i lo -m state --state NEW -j LOG --log-prefix "x "',
  'COMMIT',
];
const PIECES = [
  '!',
  '-p',
  'tcp',
  '--dport',
  '65536',
  ':',
  ',',
  '"',
  "'",
  '-j',
  '-g',
  'ACCEPT',
  '-A',
  '*nat',
  ':X - [0:0]',
  'COMMIT',
  '-m',
  'multiport',
  '\t',
  '\r',
  '::',
  '0/0',
  '1.2.3.4/99',
  'ssh:http',
  '\u{1F525}',
  '#',
  '-s',
  '--ctstate',
  '[1:2]',
];

test('mutated corpus lines: no exception, bounded time', () => {
  const lines = HAVE_CORPUS
    ? corpusFiles('iptables')
        .slice(0, 12)
        .flatMap((f) => fs.readFileSync(f, 'utf8').split('\n'))
    : FALLBACK;
  const rand = rng(20261125);
  const settings = resolveSettings({});
  const deadline = Date.now() + 20_000;
  let runs = 0;
  for (; runs < 400 && Date.now() < deadline; runs++) {
    const doc: string[] = [];
    const count = 5 + Math.floor(rand() * 40);
    for (let k = 0; k < count; k++) {
      let line = lines[Math.floor(rand() * lines.length)] ?? '';
      const op = rand();
      if (op < 0.3) {
        const at = Math.floor(rand() * (line.length + 1));
        line = line.slice(0, at) + PIECES[Math.floor(rand() * PIECES.length)] + line.slice(at);
      } else if (op < 0.5) {
        const a = Math.floor(rand() * line.length);
        line = line.slice(0, a) + line.slice(a + 1 + Math.floor(rand() * 8));
      } else if (op < 0.6) line = line.split(' ').reverse().join(' ');
      doc.push(line);
    }
    const text = doc.join(rand() < 0.2 ? '\r\n' : '\n');
    assert.doesNotThrow(() => analyseText(text, iptablesFormat, 'fuzz.rules', settings), `seed run ${runs}`);
  }
  assert.ok(runs >= 50, `only ${runs} runs completed in time`);
});
