/**
 * Exposure: which TCP/UDP ports accept NEW connections from which sources, per base chain hooked to input or
 * forward. Follows rule order, jumps and gotos into user chains, RETURN, and the default policy.
 *
 * The state of a walk is a list of pieces (a port set and the sources still undecided for those ports). Each
 * rule splits the pieces it matches. Conditions the model cannot decide (rate limits, marks, hostnames,
 * destination or output-interface tests) are handled as an upper closure: a rule with such a condition may
 * accept (its grants count, marked approximate) but never removes packets from later consideration. So the
 * result can over-state exposure, never under-state it, and says where it is approximate.
 */
import { AddressSet, type Family } from '../model/addresses';
import { IntervalSet } from '../model/intervals';
import { PortSet } from '../model/ports';
import type { Chain, Condition, Rule, Ruleset } from '../model/ruleset';
import { allChains } from '../model/ruleset';
import { PortMap } from './portmap';
import { OTHER, interfaceClasses, isLoopback, matchesInterface, type IfaceClass } from './interfaces';

export type Transport = 'tcp' | 'udp';
export const TRANSPORTS: readonly Transport[] = ['tcp', 'udp'];

/** New connections to `ports` from `sources` are accepted, by `rule` (or by the chain policy when absent). */
export interface Grant {
  chain: Chain;
  family: Family;
  protocol: Transport;
  ports: PortSet;
  sources: AddressSet;
  /** Interface class the grant holds for; OTHER means any interface the ruleset does not name. */
  iface: IfaceClass;
  rule?: Rule;
  approximate: boolean;
  /** Opaque conditions along the path that made this grant approximate. */
  reasons: string[];
}

export interface ChainExposure {
  chain: Chain;
  family: Family;
  ifaceClasses: IfaceClass[];
  grants: Grant[];
}

export interface Exposure {
  chains: ChainExposure[];
  /** Grants by the id of the rule that made them. */
  byRule: Map<number, Grant[]>;
  /** Rules in chains the walk entered, and the subset that some new TCP/UDP connection reached. */
  considered: Set<number>;
  reached: Set<number>;
}

/** Loopback traffic comes from the host's own addresses; model it as 127.0.0.0/8 and ::1. */
const LOOPBACK_SOURCES = AddressSet.parse('127.0.0.0/8')!.union(AddressSet.parse('::1/128')!);
/** Nesting of jumps followed (deeper is reported as approximate), and rule visits per chain walk. */
const MAX_DEPTH = 100_000;
const WALK_BUDGET = 200_000;
const VISITS_PER_RULE = 8;
/** Beyond this many intervals a footprint's ports or sources widen to everything, to keep it cheap to build. */
const FOOTPRINT_DETAIL = 64;

/** One chain being walked: its rules from `next` on, and where its result goes when it ends. */
interface Frame {
  chain: Chain;
  map: PortMap;
  reasons: string[];
  next: number;
  returned: PortMap;
  /** How the caller entered: a goto's result leaves the caller too; an inexact jump's result is not put back. */
  via?: 'jump' | 'goto';
}

/** Ports × sources a chain can act on; sources undefined means any. */
interface Box {
  ports: PortSet;
  sources: AddressSet | undefined;
}

function widen(a: Box, b: Box): Box {
  let ports = a.ports.union(b.ports);
  if (ports.ranges().length > FOOTPRINT_DETAIL) ports = PortSet.ALL;
  let sources = a.sources && b.sources ? a.sources.union(b.sources) : undefined;
  if (sources && sources.v4.intervals.length + sources.v6.intervals.length > FOOTPRINT_DETAIL) sources = undefined;
  return { ports, sources };
}

/** Outcome of testing a rule's conditions against one packet class. */
export interface MatchResult {
  matches: boolean;
  ports: PortSet;
  sources: AddressSet;
  /** False when some condition could not be decided: the rule may or may not match. */
  exact: boolean;
  reasons: string[];
}

export function analyseExposure(rs: Ruleset): Exposure {
  const chains = allChains(rs);
  const jumpedTo = new Set(chains.flatMap((c) => c.rules.flatMap((r) => (r.action.kind === 'jump' || r.action.kind === 'goto' ? [`${c.table}\u0000${r.action.chain}`] : []))));
  const families: Family[] = rs.family === 'both' ? ['ipv4', 'ipv6'] : [rs.family];
  const result: Exposure = { chains: [], byRule: new Map(), considered: new Set(), reached: new Set() };
  for (const chain of chains) {
    if (chain.type !== 'filter' || (chain.hook !== 'input' && chain.hook !== 'forward')) continue;
    // A hooked chain that others jump to (ufw's chains in a full dump) is analysed through its callers.
    if (!chain.policy && jumpedTo.has(`${chain.table}\u0000${chain.name}`)) continue;
    for (const family of families) {
      if (chain.family !== 'both' && chain.family !== family) continue;
      const ce = new ChainWalker(rs, chain, family, result).run();
      result.chains.push(ce);
      for (const g of ce.grants) {
        if (!g.rule) continue;
        const list = result.byRule.get(g.rule.id) ?? [];
        list.push(g);
        result.byRule.set(g.rule.id, list);
      }
    }
  }
  return result;
}

class ChainWalker {
  private readonly grants: Grant[] = [];
  private readonly chainsByName: Map<string, Chain>;

  constructor(
    rs: Ruleset,
    private readonly base: Chain,
    private readonly family: Family,
    private readonly trace: Pick<Exposure, 'considered' | 'reached'>,
  ) {
    this.chainsByName = new Map(rs.tables.find((t) => t.name === base.table)?.chains.map((c) => [c.name, c]) ?? []);
    this.bits = family === 'ipv4' ? 32n : 128n;
    let rules = 0;
    for (const c of this.chainsByName.values()) rules += c.rules.length;
    this.budget = WALK_BUDGET + VISITS_PER_RULE * rules;
  }

  /**
   * Interface classes are walked together: each class gets its own copy of the address space, stacked above
   * the real addresses (key = class index × 2^bits + address). One walk per protocol then answers for every
   * class at once, exactly as separate walks would, at a fraction of the cost on rulesets with many interfaces.
   */
  private classes: IfaceClass[] = [];
  private readonly bits: bigint;

  run(): ChainExposure {
    this.classes = interfaceClasses(this.reachableInterfaces());
    const universe = this.keyed(this.classes.map((c) => (isLoopback(c) ? LOOPBACK_SOURCES.restrict(this.family) : AddressSet.any(this.family))));
    for (const protocol of TRANSPORTS) {
      this.undecided = [];
      const rest = this.walk(this.base, PortMap.uniform(universe), protocol);
      if (this.base.policy === 'accept') this.grant(protocol, rest, undefined, [...new Set(this.undecided)], false);
    }
    return { chain: this.base, family: this.family, ifaceClasses: this.classes, grants: this.grants };
  }

  /** Stacks one address set per interface class into the keyed space. */
  private keyed(perClass: (AddressSet | undefined)[]): AddressSet {
    const intervals: [bigint, bigint][] = [];
    perClass.forEach((set, idx) => {
      if (!set) return;
      const off = BigInt(idx) << this.bits;
      for (const [lo, hi] of this.familySet(set).intervals) intervals.push([lo + off, hi + off]);
    });
    return this.wrap(IntervalSet.fromSorted(intervals));
  }

  /** Splits a keyed set back into real addresses per interface class. */
  private unkeyed(set: AddressSet): { iface: IfaceClass; sources: AddressSet }[] {
    const perClass = new Map<number, [bigint, bigint][]>();
    const mask = (1n << this.bits) - 1n;
    // One pass over the sorted intervals; an interval crossing a class boundary is cut there.
    for (const [lo0, hi] of this.familySet(set).intervals) {
      let lo = lo0;
      while (lo <= hi) {
        const idx = lo >> this.bits;
        const end = (idx << this.bits) | mask;
        const top = hi < end ? hi : end;
        const list = perClass.get(Number(idx)) ?? [];
        list.push([lo & mask, top & mask]);
        perClass.set(Number(idx), list);
        lo = top + 1n;
      }
    }
    return [...perClass].map(([idx, list]) => ({ iface: this.classes[idx], sources: this.wrap(IntervalSet.fromSorted(list)) }));
  }

  private familySet(set: AddressSet): IntervalSet {
    return this.family === 'ipv4' ? set.v4 : set.v6;
  }

  private wrap(set: IntervalSet): AddressSet {
    return this.family === 'ipv4' ? AddressSet.of(set, IntervalSet.EMPTY) : AddressSet.of(IntervalSet.EMPTY, set);
  }

  /** Reasons of rules that might have decided packets but were not counted on to do so, in the current walk. */
  private undecided: string[] = [];

  /** Input-interface patterns in this chain and every chain it can reach (an explicit stack: chains nest deeply). */
  private reachableInterfaces(): string[] {
    const names = new Set<string>();
    const seen = new Set<Chain>([this.base]);
    const todo = [this.base];
    for (let c = todo.pop(); c; c = todo.pop()) {
      for (const r of c.rules) {
        for (const cond of r.conditions) if (cond.kind === 'inInterface') names.add(cond.name);
        const t = r.action.kind === 'jump' || r.action.kind === 'goto' ? this.chainsByName.get(r.action.chain) : undefined;
        if (t && !seen.has(t)) {
          seen.add(t);
          todo.push(t);
        }
      }
    }
    return [...names];
  }

  /**
   * Rule visits left for this walker; past it, jumps are not followed and count as approximate accepts. A few
   * visits per rule is normal (two protocols, chains called from several places); the base allowance covers
   * small files, the per-rule part large ones, and only re-walks without end run out.
   */
  private budget: number;

  /**
   * Runs the undecided (port → sources) map through a chain, recording grants for what it accepts. Returns
   * what falls off its end or RETURNs to the caller. Jumps push a frame instead of recursing, so nesting depth
   * costs heap, not stack; a jump hands its target only the part of the map the target can act on (its
   * footprint), so a chain of thousands of jumps or thousands of user chains stays linear.
   */
  private walk(base: Chain, map: PortMap, protocol: Transport): PortMap {
    const frames: Frame[] = [{ chain: base, map, reasons: [], next: 0, returned: PortMap.empty() }];
    const onStack = new Set<Chain>();
    for (;;) {
      const f = frames[frames.length - 1];
      if (f.next >= f.chain.rules.length) {
        f.returned.add(f.map);
        frames.pop();
        const caller = frames[frames.length - 1];
        if (!caller) return f.returned;
        onStack.delete(f.chain);
        if (f.via === 'goto') caller.returned.add(f.returned);
        else if (f.via === 'jump') caller.map.add(f.returned);
        continue;
      }
      const rule = f.chain.rules[f.next++];
      this.trace.considered.add(rule.id);
      this.budget--;
      const { action } = rule;
      if (action.kind === 'continue' || action.kind === 'none') continue;
      const m = this.evaluate(rule, protocol);
      if (!m.matches) continue;
      const target = action.kind === 'jump' || action.kind === 'goto' ? this.chainsByName.get(action.chain) : undefined;
      const follow = target && !onStack.has(target);
      let matched: PortMap;
      if (follow && action.kind === 'jump') {
        // Only what the target can act on enters it; the rest would come straight back.
        if (!f.map.meets(m.ports, m.sources)) continue;
        const fp = this.footprint(target, protocol);
        matched = f.map.take(m.ports.intersect(fp.ports), fp.sources ? m.sources.intersect(fp.sources) : m.sources, m.exact);
      } else {
        matched = f.map.take(m.ports, m.sources, m.exact);
        if (matched.isEmpty()) continue;
      }
      this.trace.reached.add(rule.id);
      const why = m.exact ? f.reasons : [...f.reasons, ...m.reasons];
      if (!m.exact && action.kind !== 'accept') this.undecided.push(...m.reasons);
      switch (action.kind) {
        case 'accept':
        case 'other': // NAT or queue verdicts decided elsewhere: assume the packet may get through
          this.grant(protocol, matched, rule, why, action.kind === 'other');
          break;
        case 'return':
          f.returned.add(matched);
          break;
        case 'jump':
        case 'goto': {
          if (!follow) {
            // Unknown or looping target: the packet's fate is unknown; go on as if the jump did not happen.
            if (m.exact) f.map.add(matched);
            break;
          }
          if (this.budget <= 0 || frames.length > MAX_DEPTH) {
            // Too deep or too much work to follow: assume the target may accept (an upper bound, said so).
            this.grant(protocol, matched, rule, [...why, `${action.kind} to ${action.chain} not followed (ruleset too large to trace)`], true);
            break;
          }
          if (matched.isEmpty()) {
            this.markConsidered(target);
            break;
          }
          onStack.add(target);
          frames.push({ chain: target, map: matched, reasons: why, next: 0, returned: PortMap.empty(), via: action.kind === 'goto' ? 'goto' : m.exact ? 'jump' : undefined });
          break;
        }
        default: // drop, reject
          break;
      }
    }
  }

  private readonly marked = new Set<Chain>();

  /** A chain entered with nothing left to decide: its rules were considered, none reached. */
  private markConsidered(chain: Chain): void {
    if (this.marked.has(chain)) return;
    this.marked.add(chain);
    for (const r of chain.rules) this.trace.considered.add(r.id);
  }

  private readonly footprints: Record<Transport, Map<Chain, Box>> = { tcp: new Map(), udp: new Map() };

  /**
   * Everything a chain (and the chains it reaches) could act on for one protocol, as a box of ports × keyed
   * sources. Larger than exact is harmless (more enters the chain, which then decides as before); a packet
   * outside the box matches no rule there and would only fall off its end. Cycles and very fragmented boxes
   * widen to "any source". Computed once per chain, with an explicit stack.
   */
  private footprint(chain: Chain, protocol: Transport): Box {
    const memo = this.footprints[protocol];
    const known = memo.get(chain);
    if (known) return known;
    const stack: { chain: Chain; next: number; box: Box }[] = [{ chain, next: 0, box: { ports: PortSet.NONE, sources: AddressSet.NONE } }];
    const open = new Set<Chain>([chain]);
    while (stack.length) {
      const f = stack[stack.length - 1];
      if (f.next >= f.chain.rules.length) {
        memo.set(f.chain, f.box);
        open.delete(f.chain);
        stack.pop();
        continue;
      }
      const rule = f.chain.rules[f.next];
      const { action } = rule;
      const m = action.kind === 'continue' || action.kind === 'none' ? NO_MATCH : this.evaluate(rule, protocol);
      if (!m.matches) {
        f.next++;
        continue;
      }
      let box: Box = { ports: m.ports, sources: m.sources };
      if (action.kind === 'jump') {
        const target = this.chainsByName.get(action.chain);
        if (target && !memo.has(target) && !open.has(target)) {
          open.add(target);
          stack.push({ chain: target, next: 0, box: { ports: PortSet.NONE, sources: AddressSet.NONE } });
          continue; // this rule is looked at again once the target's box is known
        }
        // Unknown target: the jump changes nothing. A chain still open (a loop): keep the rule's own box.
        const inner = target ? memo.get(target) : { ports: PortSet.NONE, sources: AddressSet.NONE };
        if (inner) box = { ports: m.ports.intersect(inner.ports), sources: inner.sources ? m.sources.intersect(inner.sources) : m.sources };
      }
      f.box = widen(f.box, box);
      f.next++;
    }
    return memo.get(chain)!;
  }

  private grant(protocol: Transport, map: PortMap, rule: Rule | undefined, reasons: string[], forceApprox: boolean): void {
    const why = [...new Set(reasons)];
    for (const g of map.groups()) {
      for (const { iface, sources } of this.unkeyed(g.sources)) {
        this.grants.push({ chain: this.base, family: this.family, protocol, ports: g.ports, sources, iface, rule, approximate: forceApprox || why.length > 0, reasons: why });
      }
    }
  }

  private readonly compiled = new Map<Rule, Compiled>();

  private readonly keyedMatch = new Map<Rule, MatchResult>();

  private readonly keyedBySet = new Map<IntervalSet, Map<string, AddressSet>>();

  private evaluate(rule: Rule, protocol: Transport): MatchResult {
    let c = this.compiled.get(rule);
    if (!c) this.compiled.set(rule, (c = compile(rule, this.family)));
    if (c.never || !c.protocols[protocol] || (protocol !== 'tcp' && c.needsTcp)) return NO_MATCH;
    let m = this.keyedMatch.get(rule);
    if (!m) {
      // The rule's sources, stacked for every interface class its interface tests let through. Rules naming
      // the same network (the parser shares its set) on the same classes share the stacked set too.
      const compiled = c;
      const passes = this.classes.map((cls) => compiled.ifaces.every((t) => matchesInterface(t.name, cls) !== t.negated));
      const own = this.familySet(compiled.result.sources);
      const mask = passes.map(Number).join('');
      let byMask = this.keyedBySet.get(own);
      if (!byMask) this.keyedBySet.set(own, (byMask = new Map()));
      let sources = byMask.get(mask);
      if (!sources) byMask.set(mask, (sources = this.keyed(passes.map((p) => (p ? compiled.result.sources : undefined)))));
      m = sources.isEmpty() ? NO_MATCH : { ...c.result, sources };
      this.keyedMatch.set(rule, m);
    }
    return m;
  }
}

const NO_MATCH: MatchResult = { matches: false, ports: PortSet.NONE, sources: AddressSet.NONE, exact: true, reasons: [] };

/** A rule's conditions folded once into what the walk needs per (protocol, interface class). */
export interface Compiled {
  /** True when the rule can never match a new TCP/UDP connection (e.g. ESTABLISHED only, empty port set). */
  never: boolean;
  protocols: Record<Transport, boolean>;
  /** TCP flag tests only ever match TCP. */
  needsTcp: boolean;
  ifaces: { name: string; negated: boolean }[];
  result: MatchResult;
}

export function compile(rule: Rule, family: Family): Compiled {
  const protocols = { tcp: true, udp: true };
  let needsTcp = false;
  let never = false;
  let ports = PortSet.ALL;
  let sources = AddressSet.any(family);
  let exact = true;
  const reasons: string[] = [];
  const ifaces: { name: string; negated: boolean }[] = [];
  for (const c of rule.conditions) {
    switch (c.kind) {
      case 'protocol':
        for (const p of TRANSPORTS) {
          const has = c.protocols.includes(p) || c.protocols.includes(p === 'tcp' ? '6' : '17');
          if (has === c.negated) protocols[p] = false;
        }
        break;
      case 'inInterface':
        ifaces.push({ name: c.name, negated: c.negated });
        break;
      case 'source':
        if (c.unresolved?.length) {
          // Host names resolve at load time; which addresses they stand for is unknown here.
          exact = false;
          reasons.push(`host name ${c.unresolved.join(', ')}`);
          break;
        }
        sources = sources.intersect(c.negated ? c.set.complement() : c.set);
        break;
      case 'dport':
        ports = ports.intersect(c.negated ? c.set.complement() : c.set);
        break;
      case 'port':
        // Either port may match; the destination part is exact, the source-port part is not.
        if (!c.negated) ports = ports.intersect(c.set);
        exact = false;
        reasons.push('multiport --ports (matches source ports too)');
        break;
      case 'state':
        if (c.states.includes('new') === c.negated) never = true;
        break;
      case 'tcpFlags':
        needsTcp = true;
        if (c.syn === c.negated) never = true;
        break;
      case 'destination':
      case 'outInterface':
      case 'sport':
      case 'opaque':
        exact = false;
        reasons.push(describeCondition(c));
        break;
    }
  }
  // A rule written for one family (nft `ip saddr`, pf `inet6`) never matches the other's packets.
  if (rule.family !== 'both' && rule.family !== family) never = true;
  if (ports.isEmpty() || sources.isEmpty()) never = true;
  return { never, protocols, needsTcp, ifaces, result: { matches: true, ports, sources, exact, reasons } };
}

const descriptions = new WeakMap<Condition, string>();

/** Wording for an approximated condition; memoised because long rulesets evaluate a rule many times. */
function describeCondition(c: Condition): string {
  let d = descriptions.get(c);
  if (d === undefined) descriptions.set(c, (d = wordCondition(c)));
  return d;
}

function wordCondition(c: Condition): string {
  switch (c.kind) {
    case 'destination':
      return `${c.negated ? 'not ' : ''}destination ${c.unresolved?.join(', ') ?? c.set.describe(2)}`;
    case 'outInterface':
      return `output interface ${c.negated ? '!' : ''}${c.name}`;
    case 'sport':
      return `source port ${c.negated ? 'not ' : ''}${c.set.toString()}`;
    case 'opaque':
      return c.text;
    default:
      return c.kind;
  }
}

/** Accepted sources for one port and protocol over a chain's grants, for an interface class. */
export function sourcesFor(ce: ChainExposure, protocol: Transport, port: number, iface: IfaceClass = OTHER): AddressSet {
  let s = AddressSet.NONE;
  for (const g of ce.grants) if (g.protocol === protocol && g.iface === iface && g.ports.has(port)) s = s.union(g.sources);
  return s;
}

export { OTHER };

/** Everything a chain accepts, per protocol and interface class, in a form that can be compared. */
export function acceptedMaps(ce: ChainExposure): Map<string, PortMap> {
  const out = new Map<string, PortMap>();
  for (const g of ce.grants) {
    const key = `${g.protocol}\u0000${g.iface}`;
    const m = out.get(key) ?? PortMap.empty();
    m.addOn(g.ports, g.sources);
    out.set(key, m);
  }
  return out;
}
