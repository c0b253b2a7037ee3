/**
 * Typing into the real server over stdio: seeded random edits (inert ones such as comments, counters and whitespace,
 * and ones that change rules) sent as incremental changes; after each, the diagnostics published for that version
 * must equal those of a fresh full analysis of the same text. A sample of the in-process test's sequences
 * (test/unit/robustness/incremental.test.ts), including the largest corpus ruleset, analysed in the worker thread
 * (which keeps its last analysis, so its rule edits are re-parsed line by line and spliced there).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { resolveSettings } from '../../server/src/analysis/settings';
import { forPublishing, toDiagnostic } from '../../server/src/features/diagnostics';
import { iptablesFormat } from '../../server/src/formats/iptables';
import { pfFormat } from '../../server/src/formats/pf';
import type { Format } from '../../server/src/formats/format';
import { analyseText } from '../../server/src/pipeline';
import { CORPUS, HAVE_CORPUS, NO_CORPUS } from '../support/corpus';
import { LspClient } from '../support/lsp-client';
import { applyEdit, EDIT_KINDS, INERT_KINDS, randomEdit, rng } from '../support/random-edits';

const SEED = 1507;
const SAMPLE: [string, Format, number][] = [
  ['iptables/medium-sized-company.rules', iptablesFormat, 25],
  ['iptables/sargon.rules', iptablesFormat, 20],
  ['pf/openbsd-faq-example3.conf', pfFormat, 20],
  // Analysed in the worker thread; its inert edits are answered on the main thread.
  ['iptables/tum-net-2015-09-03.rules', iptablesFormat, 12],
];

let client: LspClient;
before(async () => {
  // Large documents in the worker (the server would keep a quick one on its own thread; the small files test that).
  client = new LspClient({ env: { PORTCULLIS_ANALYSIS_THREAD: 'worker' } });
  await client.initialize();
});
after(() => client.close());

for (const [rel, format, edits] of SAMPLE) {
  test(`typing into ${rel}: ${edits} random edits (seed ${SEED}), each version's diagnostics equal a fresh analysis`, {
    skip: !HAVE_CORPUS && NO_CORPUS,
  }, async () => {
    const file = path.join(CORPUS, rel);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    // Not under ../shared: the server would read siblings there; the fresh analysis below reads none either.
    const uri = pathToFileURL(path.join('/nonexistent-portcullis-test', path.basename(rel))).href;
    const settings = resolveSettings({});
    const random = rng(SEED + edits);
    // Half the edits inert, half from every kind, so both the reuse path and the fallback are exercised.
    const kinds = (i: number) => (i % 2 ? INERT_KINDS : EDIT_KINDS);
    await client.open(uri, lines.join('\n'), format.id);
    await client.diagnostics(uri, (_d, v) => v === 1, 120_000);
    for (let v = 2; v < edits + 2; v++) {
      const edit = randomEdit(lines, random, kinds(v));
      await client.change(uri, v, [{ range: edit.range, text: edit.text }]);
      const published = await client.diagnostics(uri, (_d, pv) => pv === v, 120_000);
      const text = applyEdit(lines, edit).join('\n');
      const fresh = forPublishing(analyseText(text, format, new URL(uri).pathname, settings).findings).map((f) => toDiagnostic(f, uri));
      assert.deepEqual(
        JSON.parse(JSON.stringify(published)),
        JSON.parse(JSON.stringify(fresh)),
        `${rel} version ${v} (${edit.kind} at ${JSON.stringify(edit.range.start)}: ${JSON.stringify(edit.text)})`,
      );
    }
  });
}

test('typing into the largest ruleset analysed on the server\'s thread: edits in bursts stop stale analyses, the last version\'s diagnostics equal a fresh analysis', {
  skip: !HAVE_CORPUS && NO_CORPUS,
}, async () => {
  const rel = 'iptables/tum-net-2015-09-03.rules';
  const lines = fs.readFileSync(path.join(CORPUS, rel), 'utf8').split('\n');
  const uri = pathToFileURL('/nonexistent-portcullis-test/main-thread-tum-net.rules').href;
  const settings = resolveSettings({});
  const random = rng(SEED);
  const here = new LspClient();
  try {
    await here.initialize();
    await here.open(uri, lines.join('\n'), 'iptables');
    await here.diagnostics(uri, (_d, v) => v === 1, 120_000);
    let v = 1;
    for (let burst = 0; burst < 8; burst++) {
      // One to four edits, some back to back, some after a pause longer than the debounce (an analysis may be under
      // way then, and the edit stops it: how often depends on the machine's speed), then the check of the last version.
      const n = 1 + Math.floor(random() * 4);
      const kinds: string[] = [];
      for (let i = 0; i < n; i++) {
        const edit = randomEdit(lines, random);
        applyEdit(lines, edit);
        kinds.push(edit.kind);
        void here.change(uri, ++v, [{ range: edit.range, text: edit.text }]);
        if (random() < 0.6) await new Promise((r) => setTimeout(r, 160 + Math.floor(random() * 300)));
      }
      const last = v;
      const published = await here.diagnostics(uri, (_d, pv) => pv === last, 120_000);
      const text = lines.join('\n');
      const findings = analyseText(text, iptablesFormat, new URL(uri).pathname, settings).findings;
      const fresh = forPublishing(findings).map((f) => toDiagnostic(f, uri));
      assert.deepEqual(JSON.parse(JSON.stringify(published)), JSON.parse(JSON.stringify(fresh)), `burst ${burst} (${kinds.join(', ')}) version ${last}`);
    }
  } finally {
    await here.close();
  }
});
