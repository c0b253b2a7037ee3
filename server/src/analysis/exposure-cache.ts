/**
 * Chain summaries: what walking a user chain did with one input (the port → sources map it was handed), kept so
 * that entering the same chain with an equal input replays the result instead of walking it again. Within one
 * analysis they serve chains jumped to from several places; an `ExposureCache` carries them to the next
 * analysis of an edited ruleset, keyed by the chain's structure (its rules compared by what the walk reads,
 * ignoring positions, comments and counters, and the same for every chain it reaches), so that only chains
 * whose rules or callees changed are walked again.
 */
import type { AddressSet } from '../model/addresses';
import type { IntervalSet } from '../model/intervals';
import type { PortSet } from '../model/ports';
import type { Chain, Condition, Rule } from '../model/ruleset';
import type { PortMap } from './portmap';

/** Something a chain walk did besides returning packets to its caller, in the order it happened. */
export type WalkEvent<Bound> =
  | { kind: 'grant'; map: PortMap; rule: Rule; reasons: string[]; forceApprox: boolean; within: Bound[] }
  | { kind: 'dnat'; map: PortMap; rule: Rule; why: string[] }
  | { kind: 'notrack'; map: PortMap; why: string[] }
  | { kind: 'undecided'; reasons: string[] };

/**
 * One walk of a chain. Reasons and source bounds are stored without the caller's prefix (a replay adds its
 * own); rules are those of the ruleset the walk ran on (`trace` tells which analysis that was).
 */
export interface Summary<Bound> {
  input: PortMap;
  returned: PortMap;
  events: WalkEvent<Bound>[];
  /** Chains whose rules the walk considered (entered, or found with nothing to do), by name. */
  entered: string[];
  reached: Rule[];
  /** Rule visits the walk cost, and how deep it nested below the chain. */
  visits: number;
  depth: number;
  trace: object;
}

/** Summaries of one analysis and the one before; an analysis keeps what it used or made, nothing older. */
export interface ExposureCache {
  /** @internal summary lists and footprints, by walker context and chain signature */
  previous: Map<string, unknown>;
  /** @internal */
  current: Map<string, unknown>;
  /** @internal where each rule sat in the ruleset it came from (table, chain, index), to find it in the next one. */
  positions: WeakMap<Rule, readonly [string, string, number]>;
  /** @internal the grant pieces (ports × sources per interface class) of accepted maps, which summaries hand out again */
  pieces: WeakMap<PortMap, unknown>;
  /** Chain walks of the last analysis: replayed from a summary, and walked (and recorded) anew. */
  stats: { replayed: number; walked: number };
}

/** A cache for `analyseExposure(ruleset, cache)`: keep one per document and pass it to every analysis of it. */
export function createExposureCache(): ExposureCache {
  return { previous: new Map(), current: new Map(), positions: new WeakMap(), pieces: new WeakMap(), stats: { replayed: 0, walked: 0 } };
}

/** Starts a new analysis with the cache: what the last one made becomes what this one may reuse. */
export function rotate(cache: ExposureCache): void {
  cache.previous = cache.current;
  cache.current = new Map();
  cache.stats = { replayed: 0, walked: 0 };
}

/**
 * Ends an analysis's walk with the cache: what it did not carry over from the one before is dropped now rather than at
 * the next analysis (on tum-net, 4 MB held while the document sits open).
 */
export function settle(cache: ExposureCache): void {
  cache.previous = new Map();
}

/** What is stored under `key`, carried over from the previous analysis on first use, or made now. */
export function carried<T>(cache: ExposureCache, key: string, make: () => T): T {
  let v = cache.current.get(key) as T | undefined;
  if (v === undefined) cache.current.set(key, (v = (cache.previous.get(key) as T | undefined) ?? make()));
  return v;
}

/**
 * Structural signatures of chains: equal when the chain and every chain it reaches have the same rules in the
 * walk's terms. A chain that reaches a loop has none (its walk depends on the caller's stack).
 */
export class ChainSignatures {
  private readonly memo = new Map<Chain, string | null>();

  constructor(private readonly resolve: (table: string, name: string) => Chain | undefined) {}

  of(chain: Chain): string | undefined {
    const known = this.memo.get(chain);
    if (known !== undefined) return known ?? undefined;
    // Post-order over the jump graph with an explicit stack (user chains nest thousands deep).
    const stack: { chain: Chain; next: number }[] = [{ chain, next: 0 }];
    const open = new Set<Chain>([chain]);
    while (stack.length) {
      const f = stack[stack.length - 1];
      const rules = f.chain.rules;
      let pushed = false;
      while (f.next < rules.length) {
        const t = callee(rules[f.next], f.chain, this.resolve);
        if (t && !this.memo.has(t)) {
          if (open.has(t)) {
            this.memo.set(t, null); // a loop: every chain on it and above it stays unsigned
            f.next++;
            continue;
          }
          open.add(t);
          stack.push({ chain: t, next: 0 });
          pushed = true;
          break;
        }
        f.next++;
      }
      if (pushed) continue;
      stack.pop();
      open.delete(f.chain);
      if (this.memo.has(f.chain)) continue; // marked as part of a loop
      const parts: string[] = [f.chain.table, f.chain.name, f.chain.type];
      let ok = true;
      for (const r of rules) {
        parts.push(ruleSignature(r));
        const t = callee(r, f.chain, this.resolve);
        if (!t) continue;
        const s = this.memo.get(t);
        if (s === null || s === undefined) ok = false;
        else parts.push(s);
      }
      this.memo.set(f.chain, ok ? hash(parts.join('\u0001')) : null);
    }
    return this.memo.get(chain) ?? undefined;
  }
}

function callee(rule: Rule, chain: Chain, resolve: (table: string, name: string) => Chain | undefined): Chain | undefined {
  const a = rule.action;
  return a.kind === 'jump' || a.kind === 'goto' ? resolve(chain.table, a.chain) : undefined;
}

const ruleSignatures = new WeakMap<Rule, string>();

/** What the walk reads of a rule, as text: conditions and action without positions, comments or counters. */
export function ruleSignature(rule: Rule): string {
  let s = ruleSignatures.get(rule);
  if (s === undefined) {
    const { range: _range, ...action } = rule.action as { range?: unknown };
    const parts = [rule.family, JSON.stringify(action), rule.listener?.bound ? addressText(rule.listener.bound) : ''];
    for (const c of rule.conditions) parts.push(conditionText(c));
    ruleSignatures.set(rule, (s = parts.join('\u0002')));
  }
  return s;
}

function conditionText(c: Condition): string {
  const out: string[] = [c.kind, 'negated' in c ? String(c.negated) : ''];
  if (c.kind === 'ctTuple') out.push(c.direction, c.field);
  if ('protocols' in c) out.push(c.protocols.join(','));
  if ('name' in c) out.push(c.name);
  if ('states' in c) out.push(c.states.join(','));
  if ('syn' in c) out.push(String(c.syn));
  if ('text' in c) out.push(c.text);
  if ('unresolved' in c && c.unresolved) out.push(c.unresolved.join(','), String(!!c.local));
  if ('set' in c) out.push(c.kind === 'source' || c.kind === 'destination' || isAddresses(c) ? addressText(c.set as AddressSet) : portText(c.set as PortSet));
  return out.join('\u0003');
}

function isAddresses(c: Condition): boolean {
  return c.kind === 'ctTuple' && (c.field === 'source' || c.field === 'destination');
}

const setTexts = new WeakMap<object, string>();

function addressText(set: AddressSet): string {
  let s = setTexts.get(set);
  if (s === undefined) {
    // Bounds as numbers where they fit (no bigint pairs built): a set has one form, so equal texts mean equal sets.
    const side = (half: IntervalSet) => half.numberBounds()?.join(',') ?? half.intervals.map(([a, b]) => `${a}-${b}`).join(';');
    setTexts.set(set, (s = `${side(set.v4)}/${side(set.v6)}`));
  }
  return s;
}

function portText(set: PortSet): string {
  let s = setTexts.get(set);
  if (s === undefined) setTexts.set(set, (s = set.ranges().map(([a, b]) => `${a}-${b}`).join(',')));
  return s;
}

/** 96 bits of three independent 32-bit FNV-1a style hashes, mixed: a collision between two chains is not a concern. */
function hash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x9e3779b9;
  let c = 0x27d4eb2f;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    a = Math.imul(a ^ ch, 0x01000193);
    b = Math.imul(b ^ ch, 0x5bd1e995);
    c = Math.imul(c ^ ch, 0x85ebca6b) + i;
  }
  const fin = (h: number) => {
    h ^= h >>> 16;
    h = Math.imul(h, 0x7feb352d);
    h ^= h >>> 15;
    return (h >>> 0).toString(36);
  };
  return `${fin(a)}.${fin(b)}.${fin(c)}.${text.length}`;
}
