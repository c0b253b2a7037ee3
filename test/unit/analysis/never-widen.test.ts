/**
 * The quick-fix safety rule over the whole corpus: for every file of every supported format, every quick fix the
 * server offers (for its real diagnostics, and for a diagnostic of each fixable code on every rule and every
 * accepting policy) is applied, the result re-parsed, and its exposure must never be larger than the original's.
 * Files with many fixes are sampled evenly, so every file is covered in bounded time.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver';
import { exposureGrowth } from '../../../server/src/analysis/compare';
import { analyseExposure } from '../../../server/src/analysis/exposure';
import { resolveSettings } from '../../../server/src/analysis/settings';
import { codeActions } from '../../../server/src/features/code-actions';
import { toDiagnostic } from '../../../server/src/features/diagnostics';
import type { Format } from '../../../server/src/formats/format';
import { formatById, formatForPath } from '../../../server/src/formats/registry';
import { portOfService, type Transport } from '../../../server/src/knowledge/registry';
import { allChains, allRules } from '../../../server/src/model/ruleset';
import { analyseText } from '../../../server/src/pipeline';
import { CORPUS, HAVE_CORPUS, NO_CORPUS } from '../../support/corpus';

/**
 * Per file: every distinct fixed text when there are few, else a seeded random sample until the file's time
 * budget is spent (at least MIN_PER_FILE). Each application costs one parse and one exposure walk, which is
 * about a second on the corpus's 1,600-rule rulesets.
 */
const MIN_PER_FILE = 3;
const FILE_BUDGET_MS = 700;
const FIXABLE = ['PC004', 'PC101', 'PC102', 'PC104', 'PC105', 'PC106', 'PC301'];

function corpusFiles(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const f of fs.readdirSync(d).sort()) {
      const p = path.join(d, f);
      if (fs.statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(CORPUS);
  return out;
}

/** The format the editor would use; pf examples and iptables-save dumps with other names are recognised too. */
function formatOf(file: string, text: string): Format | undefined {
  const claimed = formatForPath(file);
  if (claimed) return claimed;
  if (path.basename(path.dirname(file)) === 'pf' && !file.endsWith('.md')) return formatById('pf');
  if (/^\*filter\s*$/m.test(text) && /^COMMIT\s*$/m.test(text)) return formatById('iptables');
  return undefined;
}

type Edit = { range: Diagnostic['range']; newText: string };

function applyEdits(text: string, edits: Edit[]): string {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const offset = (p: { line: number; character: number }) => (starts[p.line] ?? text.length) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

/** A deterministic shuffle (seeded by the file name), so a cut-off sample still spreads over the whole file. */
function shuffled<T>(items: T[], seed: string): T[] {
  let x = [...seed].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) || 1;
  for (let i = items.length - 1; i > 0; i--) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const j = x % (i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

const ctx = (file: string) => ({ path: file, resolveService: (n: string, p?: string) => portOfService(n, p as Transport | undefined) });

test('no quick fix offered on any corpus file ever makes the exposure larger', (t) => {
  if (!HAVE_CORPUS) return t.skip(NO_CORPUS);
  const settings = resolveSettings({});
  const failures: string[] = [];
  const stats = { files: 0, unsupported: 0, offered: 0, distinct: 0, applied: 0, byFormat: new Map<string, number>() };
  // NEVER_WIDEN_ONLY=<regexp> narrows the run to matching paths while debugging.
  const only = process.env.NEVER_WIDEN_ONLY ? new RegExp(process.env.NEVER_WIDEN_ONLY) : undefined;
  for (const file of corpusFiles().filter((f) => !only || only.test(f))) {
    const text = fs.readFileSync(file, 'utf8');
    const format = formatOf(file, text);
    if (!format) {
      stats.unsupported++;
      continue;
    }
    stats.files++;
    stats.byFormat.set(format.id, (stats.byFormat.get(format.id) ?? 0) + 1);
    const uri = pathToFileURL(file).href;
    const fa = analyseText(text, format, file, settings);
    // Real diagnostics, plus one of each fixable code on every rule and every accepting base chain.
    const diagnostics: Diagnostic[] = fa.findings.map((f) => toDiagnostic(f, uri));
    const rules = [...new Map(allRules(fa.ruleset).map((r) => [r.id, r])).values()];
    for (const rule of rules)
      for (const code of FIXABLE)
        diagnostics.push({ range: rule.range, code, source: 'portcullis', message: 'synthetic', data: { ruleId: rule.id } });
    for (const c of allChains(fa.ruleset))
      if (c.policy === 'accept')
        diagnostics.push({
          range: c.range,
          code: 'PC103',
          source: 'portcullis',
          message: 'synthetic',
          data: { table: c.table, chain: c.name },
        });
    // Distinct edits (the same fix is offered for several codes on one rule).
    const results = new Map<string, [Edit[], string]>();
    for (const a of codeActions(fa, { uri, version: 1, snippets: 'none' }, diagnostics)) {
      if (a.title.startsWith('Suppress')) continue;
      stats.offered++;
      const edits = a.edit!.changes![uri];
      const key = JSON.stringify(edits);
      if (!results.has(key))
        results.set(key, [edits, `${a.title} (for ${a.diagnostics?.[0].code} at line ${a.diagnostics![0].range.start.line + 1})`]);
    }
    stats.distinct += results.size;
    const all = shuffled([...results.values()], file);
    const before = fa.exposure;
    const start = Date.now();
    for (let k = 0; k < all.length; k++) {
      if (k >= MIN_PER_FILE && Date.now() - start > FILE_BUDGET_MS) break;
      const [edits, what] = all[k];
      const fixed = applyEdits(text, edits);
      stats.applied++;
      const grown = exposureGrowth(before, analyseExposure(format.parse(fixed, ctx(file))));
      if (grown) failures.push(`${path.relative(CORPUS, file)}: ${what} widens ${grown}`);
    }
  }
  t.diagnostic(
    `${stats.files} files (${[...stats.byFormat].map(([f, n]) => `${f} ${n}`).join(', ')}), ${stats.unsupported} of unsupported formats; ${stats.offered} fixes offered, ${stats.distinct} distinct results, ${stats.applied} applied and compared`,
  );
  assert.ok(
    only || (stats.files > 300 && stats.applied > 1000),
    `too little covered: ${JSON.stringify({ ...stats, byFormat: [...stats.byFormat] })}`,
  );
  assert.deepEqual(failures.slice(0, 20), [], `${failures.length} fixes widen the exposure`);
});
