/**
 * An edit's changed lines re-parsed alone and spliced into the previous model, for files whose rules are all appended
 * inside well-formed tables (`SpliceState`): there a rule's chain, place and id follow from its line, so the new rules
 * go where a fresh parse would put them. Lines that reach past themselves (tables, chain declarations, policies,
 * COMMIT, a chain first named on a changed line) and any change of the detected address family mean a fresh parse.
 */
import type { Finding } from '../../model/finding';
import type { Range } from '../../model/range';
import type { Chain, Rule, Ruleset, Table } from '../../model/ruleset';
import type { LineChange, ParseContext } from '../format';
import { addressCounts, familyOf, IP6TABLES_HEADER, resumeIptables, spliceStates, type FamilyEvidence } from './parse';

export function reparseIptables(previous: Ruleset, change: LineChange, ctx: ParseContext): Ruleset | undefined {
  const state = spliceStates.get(previous);
  // The previous model is changed below or superseded by a fresh parse: its state is spent either way.
  spliceStates.delete(previous);
  const family = previous.family;
  if (!state || family === 'both') return undefined;
  const { first, removed, added } = change;
  if (removed.length === added.length && removed.every((l, i) => sameButCounters(l, added[i]))) {
    spliceStates.set(previous, state);
    return previous;
  }
  const end = first + removed.length;
  const delta = added.length - removed.length;
  if (removed.some((l) => isSectionLine(l.trim()))) return undefined;
  for (const t of previous.tables) {
    if (within(t.range, first, end)) return undefined;
    for (const c of t.chains) if (within(c.range, first, end) || (c.policyRange && within(c.policyRange, first, end))) return undefined;
  }
  const table = openTableAt(previous, change);
  if (!table) return undefined;
  const evidence = state.evidence && evidenceAfter(state.evidence, change);
  if (evidence === null || (evidence && familyOf(evidence) !== family)) return undefined;

  const lo = firstAtOrAfter(state.rules, first);
  const hi = firstAtOrAfter(state.rules, end);
  const resumed = resumeIptables(added, ctx, family, {
    tables: previous.tables,
    table,
    first,
    ruleCount: lo,
    addressSets: state.addressSets,
  });
  if (!resumed) return undefined;

  // Chains that lose or gain rules are new objects (checks cache per chain); the others keep theirs.
  const touched = new Map<Chain, Rule[]>();
  const chainOf = (r: Rule) => previous.tables.find((t) => t.name === r.table)!.chains.find((c) => c.name === r.chain)!;
  for (let i = lo; i < hi; i++) touched.set(chainOf(state.rules[i]), []);
  for (const r of resumed.rules) {
    const c = chainOf(r);
    const list = touched.get(c) ?? [];
    touched.set(c, list);
    list.push(r);
  }
  const replaced = new Map<Chain, Chain>();
  for (const [c, fresh] of touched) {
    const rules = [...c.rules.filter((r) => r.range.start.line < first), ...fresh, ...c.rules.filter((r) => r.range.start.line >= end)];
    replaced.set(c, { ...c, rules });
  }
  const lineProblems = splice(previous.problems.slice(0, state.lineProblems), resumed.problems, first, end, delta);
  const problems = [...lineProblems, ...splice(previous.problems.slice(state.lineProblems), resumed.jumpProblems, first, end, delta)];

  const after = state.rules.slice(hi);
  const ids = resumed.rules.length - (hi - lo);
  if (delta || ids) for (const r of after) shiftRule(r, delta, ids);
  if (delta) {
    for (const t of previous.tables) {
      moveRange(t.range, first, delta);
      for (const c of t.chains) {
        moveRange(c.range, first, delta);
        if (c.policyRange) moveRange(c.policyRange, first, delta);
      }
    }
  }
  const tables: Table[] = previous.tables.map((t) =>
    t.chains.some((c) => replaced.has(c)) ? { ...t, chains: t.chains.map((c) => replaced.get(c) ?? c) } : t,
  );
  const ruleset: Ruleset = { ...previous, tables, problems };
  spliceStates.set(ruleset, {
    ...state,
    rules: [...state.rules.slice(0, lo), ...resumed.rules, ...after],
    lineProblems: lineProblems.length,
    evidence,
  });
  return ruleset;
}

/** A chain line's counters (`[packets:bytes]` at its end) are not in the model, and nothing else on its line moves. */
const CHAIN_COUNTERS = /\[\d+:\d+\]\s*$/;
const sameButCounters = (old: string, now: string): boolean =>
  old.startsWith(':') && CHAIN_COUNTERS.test(old) && CHAIN_COUNTERS.test(now) && old.replace(CHAIN_COUNTERS, '') === now.replace(CHAIN_COUNTERS, '');

/** Table and COMMIT lines open and close sections; a chain line declares. */
const isSectionLine = (trimmed: string): boolean => trimmed.startsWith('*') || trimmed.startsWith(':') || trimmed === 'COMMIT';

const within = (r: Range, first: number, end: number): boolean => r.start.line >= first && r.start.line < end;

/** The table open at the change: the nearest table or COMMIT line above it, read from the text. */
function openTableAt(previous: Ruleset, change: LineChange): Table | undefined {
  const { text, from } = change;
  // `lineEnd` is the newline that ends the line read; each step moves to the line above it.
  for (let lineEnd = from - 1; lineEnd >= 0; ) {
    const start = lineEnd === 0 ? 0 : text.lastIndexOf('\n', lineEnd - 1) + 1;
    const t = text.slice(start, lineEnd).trim();
    if (t === 'COMMIT') return undefined;
    if (t.startsWith('*')) return previous.tables.find((x) => x.name === t.slice(1).trim());
    lineEnd = start - 1;
  }
  return undefined;
}

/** A `-s`/`-d` at the end of a line may take its value from the next: family counts across lines are left to a fresh parse. */
const OPEN_ADDRESS = /(^|\s)-[sd](\s+!)?\s*$/;

/**
 * The family evidence after the change, from the counts of the changed lines; null when the change touches the
 * ip6tables-save header or an address written across lines.
 */
function evidenceAfter(e: FamilyEvidence, change: LineChange): FamilyEvidence | null {
  const { removed, added, text, from } = change;
  if (e.fixed) return [...removed, ...added].some((l) => IP6TABLES_HEADER.test(l)) ? null : e;
  const before = from > 1 ? text.slice(text.lastIndexOf('\n', from - 2) + 1, from - 1) : '';
  if ([before, removed[removed.length - 1] ?? '', added[added.length - 1] ?? ''].some((l) => OPEN_ADDRESS.test(l))) return null;
  if (added.some((l) => IP6TABLES_HEADER.test(l))) return null;
  const lead = change.first > 0 ? '\n' : '';
  const was = addressCounts(lead + removed.join('\n'));
  const now = addressCounts(lead + added.join('\n'));
  return { fixed: false, v4: e.v4 - was.v4 + now.v4, v6: e.v6 - was.v6 + now.v6 };
}

/** Index of the first rule on line `line` or below (rules are in line order). */
function firstAtOrAfter(rules: Rule[], line: number): number {
  let lo = 0;
  let hi = rules.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rules[mid].range.start.line < line) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Problems of lines above the change, then the new ones, then those below it moved by `delta` lines. */
function splice(old: Finding[], fresh: Finding[], first: number, end: number, delta: number): Finding[] {
  const out = old.filter((p) => p.range.start.line < first);
  out.push(...fresh);
  for (const p of old) {
    if (p.range.start.line < end) continue;
    if (delta) moveRange(p.range, first, delta);
    out.push(p);
  }
  return out;
}

function moveRange(r: Range, first: number, delta: number): void {
  if (r.start.line >= first) r.start.line += delta;
  if (r.end.line >= first) r.end.line += delta;
}

/** Every position of a rule sits on its line: each is set to the new line (idempotent, however positions are shared). */
function shiftRule(rule: Rule, delta: number, ids: number): void {
  rule.id += ids;
  if (!delta) return;
  const line = rule.range.start.line + delta;
  const set = (r: Range | undefined) => {
    if (!r) return;
    r.start.line = line;
    r.end.line = line;
  };
  set(rule.range);
  set(rule.chainRange);
  if ('range' in rule.action) set(rule.action.range);
  for (const c of rule.conditions) {
    set(c.range);
    if ('items' in c && c.items) for (const item of c.items) set(item.range);
  }
}
