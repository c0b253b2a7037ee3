/**
 * Re-analysis while typing: seeded random edit sequences over the corpus's line-based rulesets (iptables, ufw, pf).
 * After every edit, the analysis the server would publish (the previous one reused when the edit is inert) must
 * equal a fresh full analysis of the same text: the same findings and the same model, positions included.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'node:test';
import { matrixJson, serviceMatrix } from '../../../server/src/analysis/matrix';
import { resolveSettings } from '../../../server/src/analysis/settings';
import { iptablesFormat } from '../../../server/src/formats/iptables';
import { pfFormat } from '../../../server/src/formats/pf';
import type { Format } from '../../../server/src/formats/format';
import { formatById } from '../../../server/src/formats/registry';
import { inertShift } from '../../../server/src/incremental';
import { analyseText, analysisSteps, spliceInert, type FileAnalysis, type Reuse } from '../../../server/src/pipeline';
import { corpusFiles, HAVE_CORPUS, NO_CORPUS } from '../../support/corpus';
import { applyEdit, EDIT_KINDS, INERT_KINDS, randomEdit, rng } from '../../support/random-edits';

const SEED = 1506;
const EDITS_PER_FILE = 12;
/** Files up to this size: a fresh analysis per edit stays quick (the largest ruleset is covered over stdio and in bench/). */
const MAX_BYTES = 25_000;

/**
 * The model, findings and service matrix (which reads rules' positions through the exposure) as plain data: bigint
 * interval bounds as strings, Maps and Sets as arrays.
 */
function plain(fa: FileAnalysis): string {
  const matrix = matrixJson(serviceMatrix(fa.exposure));
  // Fields named `cached…` are memos a set fills when first asked (PortSet's ranges), not part of its value.
  return JSON.stringify({ ruleset: fa.ruleset, findings: fa.findings, lines: fa.lines, matrix }, (k, v) =>
    k.startsWith('cached') ? undefined : typeof v === 'bigint' ? v.toString() : v instanceof Map || v instanceof Set ? [...v] : v,
  );
}

/** Fails at the first character where the incremental analysis's plain data differs from the fresh one's. */
function assertSameAnalysis(where: string, incremental: FileAnalysis, fresh: FileAnalysis): void {
  const [a, b] = [plain(incremental), plain(fresh)];
  if (a === b) return;
  let d = 0;
  while (a[d] === b[d]) d++;
  assert.fail(`${where}: differs at ${d}:\n  incremental …${a.slice(d - 200, d + 200)}\n  fresh       …${b.slice(d - 200, d + 200)}`);
}

/** Which edit of which file, for a failure message. */
function editAt(file: string, i: number, edit: ReturnType<typeof randomEdit>): string {
  return `${path.basename(file)} edit ${i} (${edit.kind} at ${JSON.stringify(edit.range.start)}: ${JSON.stringify(edit.text)})`;
}

// As the server and the worker get them: the registry's lazily loaded formats.
const registered = (id: string) => formatById(id)!;
const files: [string, Format][] = [
  ...corpusFiles('iptables', (n) => n.endsWith('.rules')).map((f) => [f, registered('iptables')] as [string, Format]),
  ...corpusFiles('ufw/rules').map((f) => [f, registered('iptables')] as [string, Format]),
  ...corpusFiles('pf', (n) => n.endsWith('.conf')).map((f) => [f, registered('pf')] as [string, Format]),
].filter(([f]) => fs.statSync(f).size <= MAX_BYTES);

test(
  `incremental re-analysis: ${EDITS_PER_FILE} random edits (seed ${SEED}) per line-based corpus file equal a fresh analysis`,
  { skip: !HAVE_CORPUS && NO_CORPUS },
  () => {
    const settings = resolveSettings({});
    const random = rng(SEED);
    const counts: Record<string, { moved: number; spliced: number; full: number }> = {};
    assert.ok(files.length >= 20, `line-based corpus files found: ${files.length}`);
    for (const [file, format] of files) {
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      const reuse: Reuse = {};
      analyseText(lines.join('\n'), format, file, settings, undefined, reuse);
      for (let i = 0; i < EDITS_PER_FILE; i++) {
        const edit = randomEdit(lines, random);
        const text = applyEdit(lines, edit).join('\n');
        const incremental = analyseText(text, format, file, settings, undefined, reuse);
        const fresh = analyseText(text, format, file, settings);
        assertSameAnalysis(editAt(file, i, edit), incremental, fresh);
        const c = (counts[edit.kind] ??= { moved: 0, spliced: 0, full: 0 });
        c[reuse.last!]++;
      }
    }
    console.log(
      `incremental: ${files.length} files × ${EDITS_PER_FILE} edits; moved/spliced/full by kind: ` +
        Object.entries(counts)
          .map(([k, c]) => `${k} ${c.moved}/${c.spliced}/${c.full}`)
          .join(', '),
    );
    // The test must exercise the reuse path, not only the fallback.
    for (const kind of INERT_KINDS) assert.ok((counts[kind]?.moved ?? 0) > 0, `some "${kind}" edits were answered without re-analysis`);
    for (const kind of EDIT_KINDS) assert.ok(counts[kind], `some "${kind}" edits were made`);
    // And the spliced parse, for edits that change rules.
    for (const kind of ['type a character', 'delete a line', 'duplicate a rule', 'change a port'])
      assert.ok((counts[kind]?.spliced ?? 0) > 0, `some "${kind}" edits were spliced`);
  },
);

test(
  `as the server runs a large document: analyses stopped after a step by the next edit, inert edits spliced into the model (seed ${SEED + 1})`,
  { skip: !HAVE_CORPUS && NO_CORPUS },
  () => {
    const settings = resolveSettings({});
    const random = rng(SEED + 1);
    const counts = { stopped: 0, inertSpliced: 0, spliced: 0, full: 0 };
    for (const [file, format] of files) {
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      const reuse: Reuse = {};
      analyseText(lines.join('\n'), format, file, settings, undefined, reuse);
      for (let i = 0; i < EDITS_PER_FILE; i++) {
        const edit = randomEdit(lines, random);
        const text = applyEdit(lines, edit).join('\n');
        // The server answers an inert edit from the findings it published, and splices the edit into the model.
        if (INERT_KINDS.includes(edit.kind as (typeof INERT_KINDS)[number]) && random() < 0.7) {
          if (spliceInert(reuse, text)) counts.inertSpliced++;
          continue;
        }
        // A newer version arrives after one or two steps: this analysis stops there.
        if (random() < 0.4) {
          const steps = analysisSteps(text, format, file, settings, undefined, reuse);
          const taken = 1 + Math.floor(random() * 2);
          let done = false;
          for (let n = 0; n < taken && !done; n++) done = !!steps.next().done;
          if (!done) {
            steps.return(undefined as never);
            counts.stopped++;
            continue;
          }
        }
        const incremental = analyseText(text, format, file, settings, undefined, reuse);
        counts[reuse.last === 'full' ? 'full' : 'spliced']++;
        assertSameAnalysis(editAt(file, i, edit), incremental, analyseText(text, format, file, settings));
      }
      // Whatever the last edit was, the document's final analysis equals a fresh one.
      const text = lines.join('\n');
      const final = analyseText(text, format, file, settings, undefined, reuse);
      assert.equal(plain(final), plain(analyseText(text, format, file, settings)), file);
    }
    console.log(`stepped: ${JSON.stringify(counts)}`);
    assert.ok(counts.stopped > 20 && counts.inertSpliced > 20 && counts.spliced > 20, 'every path exercised');
  },
);

test('inert edits: what moves positions and what is re-analysed', () => {
  const shift = (format: Format, a: string, b: string) => inertShift(format, a, b);
  const rules = '*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n';
  const moved = (a: string, b: string, line: number, character: number, isEnd = false) =>
    shift(iptablesFormat, a, b)?.map({ line, character }, isEnd);
  // A comment line above a rule moves it down a line; a counter or a space inside it moves what follows.
  assert.deepEqual(moved(rules, rules.replace('-A', '# x\n-A'), 2, 9), { line: 3, character: 9 });
  assert.deepEqual(moved(rules, rules.replace('[0:0]', '[12:3400]'), 1, 17, true), { line: 1, character: 21 });
  assert.deepEqual(moved(rules, rules.replace('-p tcp', '-p  tcp'), 2, 12), { line: 2, character: 13 });
  // The end of a token before an inserted tab stays where it is; the start of the next one moves.
  assert.deepEqual(moved(rules, rules.replace('-p tcp', '-p\t tcp'), 2, 11, true), { line: 2, character: 11 });
  assert.deepEqual(moved(rules, rules.replace('-p tcp', '-p\t tcp'), 2, 12, false), { line: 2, character: 13 });
  // Not inert: a word, trailing whitespace, a suppression comment, a counter where it is an argument, a pf continuation.
  assert.equal(shift(iptablesFormat, rules, rules.replace('22', '23')), undefined);
  assert.equal(shift(iptablesFormat, rules, rules.replace('ACCEPT\n', 'ACCEPT \n')), undefined);
  assert.equal(shift(iptablesFormat, rules, rules.replace('-A', '# portcullis-ignore PC101: lab\n-A')), undefined);
  assert.equal(shift(iptablesFormat, rules, rules.replace('[0:0]', '[0:0] [1:1]')), undefined);
  const pf = 'pass in on em0 \\\n  proto tcp to port 22\n# note\nblock all\n';
  assert.deepEqual(shift(pfFormat, pf, pf.replace('# note\n', ''))?.map({ line: 3, character: 0 }, false), { line: 2, character: 0 });
  assert.equal(shift(pfFormat, pf, pf.replace('  proto', '# c\n  proto')), undefined);
});

test('an inert edit that renumbers lines renumbers the lines quoted in messages', () => {
  const settings = resolveSettings({});
  const text = '*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n';
  const reuse: Reuse = {};
  const before = analyseText(text, iptablesFormat, '/x/rules.v4', settings, undefined, reuse);
  assert.ok(before.findings.some((f) => /line 3\b/.test(f.message)), 'a finding quotes line 3');
  const edited = text.replace(':INPUT DROP [0:0]\n', ':INPUT DROP [0:0]\n# two\n# comment lines\n');
  const after = analyseText(edited, iptablesFormat, '/x/rules.v4', settings, undefined, reuse);
  assert.equal(reuse.last, 'moved');
  assert.ok(after.findings.some((f) => /line 5\b/.test(f.message)), 'it now quotes line 5');
  assert.equal(plain(after), plain(analyseText(edited, iptablesFormat, '/x/rules.v4', settings)));
});

test('an inert edit is re-analysed when the IPv4 sibling that the parity check read has changed', () => {
  const settings = resolveSettings({});
  const v6 = '*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n';
  let v4 = '*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n';
  const read = (p: string) => (p === '/x/rules.v4' ? v4 : undefined);
  const reuse: Reuse = {};
  analyseText(v6, iptablesFormat, '/x/rules.v6', settings, read, reuse);
  analyseText(v6.replace('COMMIT', '# a\nCOMMIT'), iptablesFormat, '/x/rules.v6', settings, read, reuse);
  assert.equal(reuse.last, 'moved');
  v4 = v4.replace('22', '443');
  const edited = v6.replace('COMMIT', '# b\nCOMMIT');
  const after = analyseText(edited, iptablesFormat, '/x/rules.v6', settings, read, reuse);
  // Analysed again (its lines may still be spliced into the previous model: the sibling is read by the analysis only).
  assert.notEqual(reuse.last, 'moved');
  assert.equal(plain(after), plain(analyseText(edited, iptablesFormat, '/x/rules.v6', settings, read)));
});
