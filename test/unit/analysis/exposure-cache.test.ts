/**
 * Incremental exposure: analysing an edited ruleset with the cache of the previous analysis must give exactly
 * what a fresh analysis gives (exposure JSON, considered and reached rules, findings), with every grant naming
 * a rule of the new ruleset, while walking fewer chains. Seeded random edit sequences over corpus rulesets with
 * user chains: lines deleted, duplicated, swapped, digits changed, comments inserted.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'node:test';
import { analyse } from '../../../server/src/analysis/index';
import { analyseExposure, createExposureCache, type Exposure } from '../../../server/src/analysis/exposure';
import { matrixJson, serviceMatrix } from '../../../server/src/analysis/matrix';
import { resolveSettings } from '../../../server/src/analysis/settings';
import { formatForPath } from '../../../server/src/formats/registry';
import { portOfService } from '../../../server/src/knowledge/registry';
import { allRules, type Ruleset } from '../../../server/src/model/ruleset';
import { CORPUS, HAVE_CORPUS, NO_CORPUS, corpusFiles } from '../../support/corpus';

const settings = resolveSettings({});

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** Lines that hold a rule: iptables-save `-A …`, or an nftables statement inside a chain block. */
function ruleLines(lines: string[]): number[] {
  const out: number[] = [];
  lines.forEach((l, i) => {
    const t = l.trim();
    if (t.startsWith('-A ')) out.push(i);
    else if (t && !/^(table|chain|type|policy|#|\*|:|COMMIT)/.test(t) && !t.endsWith('{') && t !== '}' && /\b(jump|goto|accept|drop|return)\b/.test(t))
      out.push(i);
  });
  return out;
}

function edit(text: string, random: () => number): string {
  const lines = text.split('\n');
  const candidates = ruleLines(lines);
  if (!candidates.length) return text;
  const i = candidates[Math.floor(random() * candidates.length)];
  switch (Math.floor(random() * 5)) {
    case 0:
      lines.splice(i, 1);
      break;
    case 1:
      lines.splice(i, 0, lines[i]);
      break;
    case 2: {
      const digits = [...lines[i].matchAll(/\d/g)];
      if (!digits.length) break;
      const d = digits[Math.floor(random() * digits.length)];
      lines[i] = lines[i].slice(0, d.index) + String(Math.floor(random() * 10)) + lines[i].slice(d.index! + 1);
      break;
    }
    case 3:
      lines.splice(i, 0, '# an edit that changes nothing');
      break;
    default: {
      const j = candidates[Math.min(candidates.length - 1, candidates.indexOf(i) + 1)];
      [lines[i], lines[j]] = [lines[j], lines[i]];
    }
  }
  return lines.join('\n');
}

function snapshot(rs: Ruleset, ex: Exposure): string {
  const rules = new Set(allRules(rs));
  for (const ce of ex.chains) for (const g of ce.grants) if (g.rule) assert.ok(rules.has(g.rule), 'a grant names a rule of the old ruleset');
  const byRule = [...ex.byRule].map(([id, gs]) => [id, gs.length]).sort((a, b) => a[0] - b[0]);
  return JSON.stringify({
    matrix: matrixJson(serviceMatrix(ex)),
    considered: [...ex.considered].sort((a, b) => a - b),
    reached: [...ex.reached].sort((a, b) => a - b),
    byRule,
  });
}

const FILES = [
  'iptables/tum-net-2015-09-03.rules',
  ...corpusFiles('iptables', (n) => n.endsWith('.rules'))
    .map((f) => path.relative(CORPUS, f))
    .filter((f) => {
      const text = fs.readFileSync(path.join(CORPUS, f), 'utf8');
      return /-j (?!ACCEPT|DROP|REJECT|RETURN|LOG)\w/.test(text) && text.length < 200_000;
    })
    .slice(0, 6),
  ...corpusFiles('nftables-translated')
    .map((f) => path.relative(CORPUS, f))
    .filter((f) => /\bjump\b/.test(fs.readFileSync(path.join(CORPUS, f), 'utf8')))
    .slice(0, 3),
];

test('an edited ruleset analysed with the previous cache gives exactly the fresh result', { skip: !HAVE_CORPUS && NO_CORPUS }, () => {
  let walkedCached = 0;
  let walkedFresh = 0;
  let compared = 0;
  FILES.forEach((rel, n) => {
    const file = path.join(CORPUS, rel);
    const format = formatForPath(file)!;
    const parse = (t: string) => format.parse(t, { path: file, resolveService: (s: string) => portOfService(s) });
    const random = rng(1000 + n);
    let text = fs.readFileSync(file, 'utf8');
    const cache = createExposureCache();
    analyse(parse(text), text, settings, format.comment, undefined, cache);
    // Chains a walk without reuse enters (the first analysis had nothing to reuse): the yardstick for the edits.
    const fromScratch = cache.stats.walked + cache.stats.replayed;
    const edits = rel.includes('tum-net') ? 4 : 10;
    for (let k = 0; k < edits; k++) {
      text = edit(text, random);
      const rs = parse(text);
      const cached = analyse(rs, text, settings, format.comment, undefined, cache);
      walkedCached += cache.stats.walked;
      const fresh = analyse(parse(text), text, settings, format.comment);
      walkedFresh += fromScratch;
      const where = `${rel} after edit ${k + 1}`;
      assert.equal(snapshot(rs, cached.exposure), snapshot(fresh.ruleset, fresh.exposure), where);
      assert.equal(JSON.stringify(cached.findings), JSON.stringify(fresh.findings), where);
      compared++;
    }
  });
  assert.ok(compared >= 20, `only ${compared} edits compared`);
  // The point of the cache: most chains are replayed, not walked again.
  assert.ok(walkedCached * 2 < walkedFresh, `cached analyses walked ${walkedCached} chains, fresh ones ${walkedFresh}`);
});

test('a cache survives a ruleset whose chains loop and one that jumps to unknown chains', () => {
  const format = formatForPath('x.rules')!;
  const cache = createExposureCache();
  const texts = [
    ['*filter', ':INPUT DROP [0:0]', ':a - [0:0]', ':b - [0:0]', '-A INPUT -j a', '-A INPUT -j b', '-A a -p tcp --dport 22 -j ACCEPT', '-A a -j b'],
    ['-A b -p tcp --dport 80 -j ACCEPT', '-A b -j nowhere', 'COMMIT', ''],
  ];
  let text = [...texts[0], ...texts[1]].join('\n');
  for (const extra of ['', '-A b -j a', '-A b -s 10.0.0.0/8 -j ACCEPT', '']) {
    text = text.replace('COMMIT', `${extra}\nCOMMIT`);
    const rs = format.parse(text, { path: 'x.rules', resolveService: () => undefined });
    const fresh = format.parse(text, { path: 'x.rules', resolveService: () => undefined });
    assert.equal(snapshot(rs, analyseExposure(rs, cache)), snapshot(fresh, analyseExposure(fresh)));
  }
});

test('a cache over chains nested deeper than the walk records at once', () => {
  const format = formatForPath('x.rules')!;
  const cache = createExposureCache();
  const depth = 24;
  const rules = (port: number) => [
    '*filter',
    ':INPUT DROP [0:0]',
    ...Array.from({ length: depth }, (_, i) => `:c${i} - [0:0]`),
    '-A INPUT -p tcp -j c0',
    '-A INPUT -p udp -s 10.0.0.0/8 -j c0',
    ...Array.from({ length: depth }, (_, i) => [`-A c${i} -p tcp --dport ${1000 + i} -j ACCEPT`, ...(i + 1 < depth ? [`-A c${i} -j c${i + 1}`] : [])]).flat(),
    `-A c${depth - 1} -p tcp --dport 22 -j ACCEPT`,
    // The edit: INPUT changes after its jumps, so the chains below are replayed from the cache.
    `-A INPUT -p tcp --dport ${port} -j ACCEPT`,
    'COMMIT',
    '',
  ];
  for (const port of [22, 23, 23, 80]) {
    const text = rules(port).join('\n');
    const rs = format.parse(text, { path: 'x.rules', resolveService: () => undefined });
    const fresh = format.parse(text, { path: 'x.rules', resolveService: () => undefined });
    assert.equal(snapshot(rs, analyseExposure(rs, cache)), snapshot(fresh, analyseExposure(fresh)), `port ${port}`);
  }
});
