/**
 * Exposure: which TCP/UDP ports accept NEW connections from which sources, along the path a packet takes to the
 * input or forward hook: every base chain on prerouting, then every base chain on the hook itself, each in
 * netfilter priority order (raw, conntrack, mangle, destination NAT, filter, security …). A packet must pass
 * all of them. Follows rule order, jumps and gotos into user chains, RETURN, and the default policy.
 *
 * The state of a walk is a list of pieces (a port set and the sources still undecided for those ports). Each
 * rule splits the pieces it matches. Ports are the destination ports the connection was opened to, before any
 * destination NAT: what a client outside can reach. NOTRACK and DNAT/REDIRECT split the walk into flows that
 * later chains see differently (UNTRACKED state, a rewritten destination port). Conditions the model cannot
 * decide (rate limits, marks, hostnames, destination or output-interface tests) are handled as an upper
 * closure: a rule with such a condition may accept (its grants count, marked approximate) but never removes
 * packets from later consideration. So the result can over-state exposure, never under-state it, and says
 * where it is approximate.
 */
import { AddressSet, type Family } from '../model/addresses';
import { IntervalSet } from '../model/intervals';
import { PortSet } from '../model/ports';
import type { Action, Chain, Condition, ConnState, Hook, Rule, Ruleset } from '../model/ruleset';
import { allChains } from '../model/ruleset';
import { PortMap } from './portmap';
import { RuleIds, RuleMap } from './rule-map';
import { ChainSignatures, carried, rotate, settle, type ExposureCache, type Summary, type WalkEvent } from './exposure-cache';
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
  /** Host addresses the accepting listener is bound to (a published port's host IP); absent = all. */
  destinations?: AddressSet;
  /** Address sets the file cannot resolve that the real sources lie within (`sources` is their upper bound). */
  within?: SourceBound[];
}

/** Sources a rule confines a packet to without the file saying which addresses they are. */
export interface SourceBound {
  /** How a message names them: "addresses in em0:network", "hosts on local networks (destination ff02::fb …)". */
  text: string;
  /** The host's own networks or link: never the internet at large. */
  local: boolean;
}

/** The hooks whose exposure is computed: connections to this host, and connections routed through it. */
export type PathHook = 'input' | 'forward';

export interface ChainExposure {
  chain: Chain;
  family: Family;
  /** The path this chain was walked on (a prerouting chain is on both). */
  hook: PathHook;
  /** Every base chain the path traverses, in order; grants hold only for what passes all of them. */
  path: Chain[];
  ifaceClasses: IfaceClass[];
  grants: Grant[];
}

export interface Exposure {
  chains: ChainExposure[];
  /** Grants by the id of the rule that made them, rules in the order the walk first granted by them. */
  byRule: RuleMap<Grant[]>;
  /** Rules in chains the walk entered, and the subset that some new TCP/UDP connection reached. */
  considered: RuleIds;
  reached: RuleIds;
}

/** Loopback traffic comes from the host's own addresses; model it as 127.0.0.0/8 and ::1. */
export const LOOPBACK_SOURCES = AddressSet.parse('127.0.0.0/8')!.union(AddressSet.parse('::1/128')!);
/** LOOPBACK_SOURCES of one family, made once: every walk starts its loopback class from it. */
const LOOPBACK_OF: Record<Family, AddressSet> = { ipv4: LOOPBACK_SOURCES.restrict('ipv4'), ipv6: LOOPBACK_SOURCES.restrict('ipv6') };
/** Nesting of jumps followed (deeper is reported as approximate), and rule visits per chain walk. */
const MAX_DEPTH = 100_000;
const WALK_BUDGET = 200_000;
const VISITS_PER_RULE = 8;
/** The size of one interface class's copy of the IPv4 address space in the keyed space. */
const V4_SPAN = 2 ** 32;

/** The bounds of one interface class's run while a keyed set is split (unkeyedV4), reused. */
const UNKEY_RUN: number[] = [];

/** Beyond this many intervals a footprint's ports or sources widen to everything, to keep it cheap to build. */
const FOOTPRINT_DETAIL = 64;

/** A rule as one walker reads it: compiled, which protocols it can match, its keyed match and its match per kind of flow. */
interface RuleMatch {
  rule: Rule;
  c: Compiled;
  tcp: boolean;
  udp: boolean;
  m?: MatchResult;
  byKind?: MatchResult[];
}

/** One chain being walked: its rules from `next` on, and where its result goes when it ends. */
interface Frame {
  chain: Chain;
  map: PortMap;
  reasons: string[];
  /** Unresolvable address sets that the jumps into this chain required the sources to lie within. */
  within: SourceBound[];
  next: number;
  returned: PortMap;
  /** How the caller entered: a goto's result leaves the caller too; an inexact jump's result is not put back. */
  via?: 'jump' | 'goto';
  /** How many frames deep the walk went below this one. */
  below: number;
  /** Set while this frame's walk is being recorded as a summary of its chain. */
  record?: {
    list: Summary<SourceBound>[];
    input: PortMap;
    /** Where this frame's part of the walker's logs starts, and the budget and loop count when it began. */
    log: number;
    entered: number;
    reached: number;
    budget: number;
    taints: number;
  };
}
/** Chain walks recorded at once (nested frames); deeper ones are walked without a summary. */
const MAX_RECORDING = 16;

/** Ports × sources a chain can act on; sources undefined means any. */
interface Box {
  ports: PortSet;
  sources: AddressSet | undefined;
}

function widen(a: Box, b: Box): Box {
  let ports = a.ports.union(b.ports);
  if (ports.ranges().length > FOOTPRINT_DETAIL) ports = PortSet.ALL;
  let sources = a.sources && b.sources ? a.sources.union(b.sources) : undefined;
  if (sources && sources.v4.count + sources.v6.count > FOOTPRINT_DETAIL) sources = undefined;
  return { ports, sources };
}
/** Conntrack attaches to packets at this prerouting priority; chains before it see no connection state. */
const CONNTRACK_PRIORITY = -200;

/** Outcome of testing a rule's conditions against one packet class. */
export interface MatchResult {
  matches: boolean;
  ports: PortSet;
  sources: AddressSet;
  /** False when some condition could not be decided: the rule may or may not match. */
  exact: boolean;
  reasons: string[];
  within?: SourceBound[];
}

type DnatAction = Extract<Action, { kind: 'dnat' }>;

/** What the path has done to a connection before the chain being walked. */
interface FlowContext {
  untracked: boolean;
  dnat?: DnatAction;
  /** Approximations on the way here (an inexact NOTRACK or NAT match, a DNAT target that may not be local). */
  reasons: string[];
}

interface Flow {
  ctx: FlowContext;
  map: PortMap;
}

/** What one chain accepted from one flow, before the rest of the path is known. */
interface Accepted {
  chain: Chain;
  /** The chain is the last on the path: what it accepts is what passes. */
  last?: boolean;
  ctx: FlowContext;
  map: PortMap;
  rule?: Rule;
  reasons: string[];
  forceApprox: boolean;
  within?: SourceBound[];
  /** The map is also in a chain summary, so a replay may hand it out again: its grant pieces are worth keeping. */
  kept: boolean;
}

/** The grants a map makes, for the walker context (family, hook, interface classes) they were split in. */
interface Pieces {
  walker: string;
  list: { ports: PortSet; iface: IfaceClass; sources: AddressSet }[];
}

/** A path's result kept in a cache, with the rules its walk considered and reached. */
interface PathResult {
  chains: ChainExposure[];
  considered: Rule[];
  reached: Rule[];
}

function allChainsOf(tables: Map<string, Map<string, Chain>>): Chain[] {
  return [...tables.values()].flatMap((t) => [...t.values()]);
}

const PLAIN: FlowContext = { untracked: false, reasons: [] };
/** No reasons: shared, as lists here are never changed once made. */
const NONE: string[] = [];

/** Flows for the next chain, merged by context (approximate ones kept apart from exact ones). */
class Flows {
  private readonly byKey = new Map<string, Flow>();
  add(ctx: FlowContext, map: PortMap): void {
    if (map.isEmpty()) return;
    const key = `${ctx.untracked}\u0000${dnatKey(ctx.dnat)}\u0000${ctx.reasons.length > 0}`;
    const f = this.byKey.get(key);
    if (!f) this.byKey.set(key, { ctx, map: map.clone() });
    else {
      f.map.add(map);
      if (ctx.reasons.length) f.ctx = { ...f.ctx, reasons: [...new Set([...f.ctx.reasons, ...ctx.reasons])] };
    }
  }
  list(): Flow[] {
    return [...this.byKey.values()];
  }
}

const dnatIds = new WeakMap<DnatAction, string>();
/** DNAT rules that rewrite to the same place lead to the same flow. */
function dnatKey(d: DnatAction | undefined): string {
  if (!d) return '';
  let k = dnatIds.get(d);
  if (k === undefined) dnatIds.set(d, (k = `${d.redirect}|${d.toAddress ?? ''}|${d.toPorts?.join('-') ?? ''}`));
  return k;
}

export { createExposureCache, type ExposureCache } from './exposure-cache';

/**
 * The exposure of a ruleset. With a cache (one per document, passed to every analysis of it), user chains whose
 * rules and callees are unchanged since the last analysis are not walked again when entered with the same input.
 */
export function analyseExposure(rs: Ruleset, cache?: ExposureCache, opts: { noShortcut?: boolean } = {}): Exposure {
  let signatures: ChainSignatures | undefined;
  const given = cache;
  if (cache) rotate(cache);
  // Chains are found again by table and chain name: two tables of one name (nft `ip filter`, `ip6 filter`) are not.
  if (cache && new Set(rs.tables.map((t) => t.name)).size < rs.tables.length) cache = undefined;
  if (cache) {
    const byName = new Map(rs.tables.map((t) => [t.name, new Map(t.chains.map((c) => [c.name, c]))]));
    signatures = new ChainSignatures((t, n) => byName.get(t)?.get(n));
    for (const t of rs.tables) for (const c of t.chains) c.rules.forEach((r, i) => cache.positions.set(r, [t.name, c.name, i]));
  }
  const chains = allChains(rs);
  const jumpedTo = new Set<string>();
  for (const c of chains)
    for (const r of c.rules) if (r.action.kind === 'jump' || r.action.kind === 'goto') jumpedTo.add(`${c.table}\u0000${r.action.chain}`);
  const families: Family[] = rs.family === 'both' ? ['ipv4', 'ipv6'] : [rs.family];
  const result: Exposure = { chains: [], byRule: new RuleMap(0), considered: new RuleIds(), reached: new RuleIds() };
  // Chains of different scopes (independent cloud groups) never lie on one path.
  const scopes = new Map<string | undefined, Chain[]>();
  for (const c of chains) {
    const list = scopes.get(c.scope);
    if (list) list.push(c);
    else scopes.set(c.scope, [c]);
  }
  const walk = (path: Chain[], hook: PathHook, family: Family): void => {
    // A resource of listening ports alone (a compose service, a Kubernetes Service) takes the short walk.
    if (!opts.noShortcut && path.length === 1 && path[0].scope !== undefined && listenerOnly(path[0]))
      result.chains.push(walkListeners(path, hook, family, result));
    else for (const ce of new ChainWalker(rs, path, hook, family, result, cache, signatures).run()) result.chains.push(ce);
  };
  for (const family of families) {
    for (const hook of ['input', 'forward'] as const) {
      for (const inScope of scopes.values()) {
        // One chain without a priority (files have hundreds) is its own path or none: walked without the path lists.
        if (inScope.length === 1 && inScope[0].priority === undefined) {
          if (alonePath(inScope[0], hook, family, jumpedTo)) walk(inScope, hook, family);
          continue;
        }
        for (const path of pathsOf(inScope, hook, family, jumpedTo)) walk(path, hook, family);
      }
    }
  }
  // Before the chains are sorted: each rule's grants are listed in the order the walk made them.
  result.byRule = grantsByRule(result.chains);
  // Chains on both paths (prerouting) come first by input path order; keep the file's chain order for output.
  if (given) settle(given);
  // Sorted by one number per entry (file position, then IPv4 before IPv6), not by lookups per comparison; the
  // entries' indices are sorted, not an object made per entry.
  const order = new Map<Chain, number>();
  chains.forEach((c, i) => order.set(c, 2 * i));
  const ces = result.chains;
  const keys = ces.map((ce) => order.get(ce.chain)! + (ce.family === 'ipv6' ? 1 : 0));
  const at = ces.map((_, i) => i).sort((a, b) => keys[a] - keys[b]);
  result.chains = at.map((i) => ces[i]);
  return result;
}

/**
 * Grants by rule id, in walk order. Each list is made at its final length: a list grown by a push from one grant
 * reserves room for seventeen, and a file of hundreds of services has thousands of rules with two to four grants.
 */
function grantsByRule(chains: readonly ChainExposure[]): RuleMap<Grant[]> {
  let top = -1;
  let total = 0;
  for (const ce of chains)
    for (const g of ce.grants) {
      if (!g.rule) continue;
      total++;
      if (smallId(g.rule.id) && g.rule.id > top) top = g.rule.id;
    }
  // Parsers number rules densely; ids far beyond the grants' count (hand-made rules) are kept in a Map instead.
  const span = top < 4 * total + 1024 ? top + 1 : 0;
  const listed = (id: number) => smallId(id) && id < span;
  /** Per listed id, the grants not yet placed in its list. */
  const left = new Uint32Array(span);
  for (const ce of chains) for (const g of ce.grants) if (g.rule && listed(g.rule.id)) left[g.rule.id]++;
  const byRule = new RuleMap<Grant[]>(span);
  for (const ce of chains)
    for (const g of ce.grants) {
      if (!g.rule) continue;
      const id = g.rule.id;
      let list = byRule.get(id);
      if (!listed(id)) {
        if (list) list.push(g);
        else byRule.set(id, [g]);
      } else {
        if (!list) byRule.set(id, (list = new Array<Grant>(left[id])));
        list[list.length - left[id]--] = g;
      }
    }
  return byRule;
}

/**
 * The paths to walk for `hook`. Netfilter chains (they carry a priority: iptables tables, nftables base chains)
 * form one path: every base chain on prerouting, then every one on the hook, in priority order; a packet passes
 * all of them. Chains of formats without that order (pf, firewalld zones, cloud security groups) are each a
 * path of their own, as they are alternatives rather than stages. A hooked chain that others jump to (ufw's
 * chains in a full dump) is walked through its callers.
 */
export function pathsOf(chains: Chain[], hook: PathHook, family: Family, jumpedTo: Set<string>): Chain[][] {
  const usable = (c: Chain) => usableOn(c, family, jumpedTo);
  // One chain without a priority (a resource of a service-port file; files have hundreds): a path of its own or none.
  if (chains.length === 1 && chains[0].priority === undefined) return alonePath(chains[0], hook, family, jumpedTo) ? [[chains[0]]] : [];
  const alone = chains.filter((c) => c.hook === hook && c.type === 'filter' && c.priority === undefined && usable(c)).map((c) => [c]);
  const on = (h: Hook) =>
    chains
      .filter((c) => c.hook === h && c.priority !== undefined && usable(c))
      .map((c, i) => ({ c, i }))
      .sort((a, b) => a.c.priority! - b.c.priority! || a.i - b.i)
      .map(({ c }) => c);
  // A chain with no rules that lets everything through changes nothing on the path.
  const inert = (c: Chain) => c.type !== 'filter' && !c.rules.length && c.policy !== 'drop';
  const staged = [...on('prerouting'), ...on(hook)].filter((c) => !inert(c));
  return staged.some((c) => c.type === 'filter' && c.hook === hook) ? [staged, ...alone] : alone;
}

/** A chain of `family` that is entered on its own: not a chain without policy that others jump to (walked through them). */
function usableOn(c: Chain, family: Family, jumpedTo: Set<string>): boolean {
  return (
    (c.family === 'both' || c.family === family) &&
    !(c.policy === undefined && jumpedTo.size > 0 && jumpedTo.has(`${c.table}\u0000${c.name}`))
  );
}

/** True when a chain without a priority, alone in its scope, is a path for `hook` (of its own). */
function alonePath(c: Chain, hook: PathHook, family: Family, jumpedTo: Set<string>): boolean {
  return c.hook === hook && c.type === 'filter' && usableOn(c, family, jumpedTo);
}

/** A resource chain of listening ports only: accepts in order, no policy, jumps or NAT. */
function listenerOnly(chain: Chain): boolean {
  if (chain.policy) return false;
  for (const r of chain.rules) {
    if (r.action.kind !== 'accept' && r.action.kind !== 'none') return false;
    for (const c of r.conditions) {
      const k = c.kind;
      if (k !== 'protocol' && k !== 'dport' && k !== 'inInterface' && k !== 'source' && k !== 'opaque') return false;
    }
  }
  return true;
}

/**
 * The walk of a listener-only chain without the path machinery (a file with hundreds of resources has hundreds
 * of such paths): per protocol and interface class, each accepting rule takes its ports × sources from what
 * earlier rules left, exactly as ChainWalker would (test/unit/analysis/exposure.test.ts compares the two).
 * While every rule of a protocol takes all sources of the class, what is left is one port set with the class's
 * sources on it, so a rule takes its ports minus those taken before: no map of sources per port is needed.
 */
function walkListeners(path: Chain[], hook: PathHook, family: Family, trace: Pick<Exposure, 'considered' | 'reached'>): ChainExposure {
  const chain = path[0];
  // The interface names tested: most chains test one (lo) or none, so a set is made only for a second name.
  let name: string | undefined;
  let names: Set<string> | undefined;
  for (const r of chain.rules)
    for (const c of r.conditions)
      if (c.kind === 'inInterface' && c.name !== name) {
        if (name === undefined) name = c.name;
        else (names ??= new Set([name])).add(c.name);
      }
  const classes = listenerClasses(name, names);
  const any = AddressSet.any(family);
  // The accepting rules' matches, MATCHES[0, accepting).
  let accepting = 0;
  for (const rule of chain.rules) {
    trace.considered.add(rule.id);
    if (rule.action.kind !== 'accept') continue;
    if (listenerMatch(rule, family, (MATCHES[accepting] ??= blankMatch(rule)))) accepting++;
  }
  // The chain's grants, GRANTS[0, n).
  let n = 0;
  for (const protocol of TRANSPORTS) {
    // The rules for this protocol, counted and read in place rather than filtered into a list per chain.
    let applying = 0;
    let allSources = true;
    for (let a = 0; a < accepting; a++) {
      const m = MATCHES[a];
      if (!(protocol === 'tcp' ? m.tcp : m.udp)) continue;
      applying++;
      if (allSources && m.sources !== any && !m.sources.covers(any)) allSources = false;
    }
    // No rule for this protocol takes anything (a service of TCP ports alone): nothing to walk.
    if (!applying) continue;
    const from = classSources(classes, family);
    const left = allSources ? undefined : from.map((s) => PortMap.uniform(s));
    for (let i = 0; i < classes.length; i++) TAKEN[i] = PortSet.NONE;
    let applied = 0;
    for (let a = 0; a < accepting; a++) {
      const { rule, ports, sources, exact, reasons, tcp, udp } = MATCHES[a];
      if (!(protocol === 'tcp' ? tcp : udp)) continue;
      // What the protocol's last rule takes, no later rule asks for: no union is made for it.
      const later = ++applied < applying;
      for (let i = 0; i < classes.length; i++) {
        const cls = classes[i];
        if (!passesInterfaces(rule, cls)) continue;
        let got: { ports: PortSet; sources: AddressSet }[] | undefined;
        let p = PortSet.NONE;
        if (!left) {
          // Nothing taken yet (the first rule of a class): the rule's own set, without a subtraction and a union.
          const none = TAKEN[i] === PortSet.NONE;
          p = none ? ports : ports.subtract(TAKEN[i]);
          if (p.isEmpty()) continue;
          if (exact && later) TAKEN[i] = none ? p : TAKEN[i].union(p);
        } else {
          const matched = left[i].take(ports, sources, exact);
          if (matched.isEmpty()) continue;
          got = matched.groups();
        }
        trace.reached.add(rule.id);
        const bound = rule.listener?.bound;
        // One grant per source set: the class's own sources when no map was needed.
        for (let k = 0; k < (got ? got.length : 1); k++) {
          // Assigned rather than spread: a spread per grant makes a slow object, and a 500-service file has thousands.
          const gp = got ? got[k].ports : p;
          const gs = got ? got[k].sources : from[i];
          // Two literals: a property added later would not fit the object and need a second allocation per grant.
          const approximate = !exact;
          GRANTS[n++] = bound
            ? { chain, family, protocol, ports: gp, sources: gs, iface: cls, rule, approximate, reasons, destinations: bound }
            : { chain, family, protocol, ports: gp, sources: gs, iface: cls, rule, approximate, reasons };
        }
      }
    }
  }
  // Copied out at its final length; the scratch list lets go of the grants.
  const grants = GRANTS.slice(0, n) as Grant[];
  GRANTS.fill(undefined, 0, n);
  // The path as given (paths are never changed once made): both families' walks of the chain share it.
  return { chain, family, hook, path, ifaceClasses: classes, grants };
}

/**
 * Lists every walkListeners call reuses (it never re-enters itself; a 500-service file walks a thousand chains
 * per analysis): the accepting rules' matches, the ports each interface class has given out so far for the
 * protocol being walked, and the chain's grants until they are copied out at their final length. A match keeps
 * the rule it last held until it is reused: a few objects, never a whole ruleset.
 */
const MATCHES: ListenerMatch[] = [];
const TAKEN: PortSet[] = [];
const GRANTS: (Grant | undefined)[] = [];

/** Interface classes of a listener chain: the common sets (none named, loopback alone) are made once and shared. */
const commonClasses = new Map<string, IfaceClass[]>([['', interfaceClasses([])]]);
function listenerClasses(name: string | undefined, names: Set<string> | undefined): IfaceClass[] {
  if (name === undefined) return commonClasses.get('')!;
  if (names) return interfaceClasses(names);
  let c = commonClasses.get(name);
  if (!c) {
    c = interfaceClasses([name]);
    if (commonClasses.size < 64) commonClasses.set(name, c);
  }
  return c;
}

/** The sources each class of a listener chain starts with (loopback's own addresses, or all), kept per shared class list. */
const sourcesOfClasses = new WeakMap<IfaceClass[], Partial<Record<Family, AddressSet[]>>>();
function classSources(classes: IfaceClass[], family: Family): AddressSet[] {
  let byFamily = sourcesOfClasses.get(classes);
  if (!byFamily) sourcesOfClasses.set(classes, (byFamily = {}));
  return (byFamily[family] ??= classes.map((c) => (isLoopback(c) ? LOOPBACK_OF[family] : AddressSet.any(family))));
}

/** The rule's interface tests pass on `cls`: read from its conditions, which are few, rather than copied per rule. */
function passesInterfaces(rule: Rule, cls: IfaceClass): boolean {
  for (const c of rule.conditions) if (c.kind === 'inInterface' && matchesInterface(c.name, cls) === c.negated) return false;
  return true;
}

/** What a listener chain's rule matches, for one family (the conditions listenerOnly allows); undefined: never. */
interface ListenerMatch {
  rule: Rule;
  /** The protocols it can match (two fields, not an object per rule and family). */
  tcp: boolean;
  udp: boolean;
  ports: PortSet;
  sources: AddressSet;
  exact: boolean;
  reasons: string[];
}

/**
 * compileRule's reading of the conditions a listener rule can have, without the state, NAT and tuple parts it
 * does not: a file of hundreds of services compiles thousands of these rules per analysis. Written into `m`
 * (one of the reused MATCHES); false when the rule never matches a packet of `family`.
 */
function listenerMatch(rule: Rule, family: Family, m: ListenerMatch): boolean {
  // A rule written for one family (a port bound to an IPv4 address) never matches the other's packets.
  if (rule.family !== 'both' && rule.family !== family) return false;
  let tcp = true;
  let udp = true;
  let ports = PortSet.ALL;
  let sources = AddressSet.any(family);
  let exact = true;
  // Most rules have no reasons: they share an empty list (never changed once made).
  let reasons: string[] = NONE;
  for (const c of rule.conditions) {
    if (c.kind === 'protocol') {
      if ((c.protocols.includes('tcp') || c.protocols.includes('6')) === c.negated) tcp = false;
      if ((c.protocols.includes('udp') || c.protocols.includes('17')) === c.negated) udp = false;
    } else if (c.kind === 'dport') ports = ports === PortSet.ALL && !c.negated ? c.set : ports.intersect(c.negated ? c.set.complement() : c.set);
    else if (c.kind === 'inInterface') continue; // tested per interface class (passesInterfaces)
    else if (c.kind === 'source' && !c.unresolved?.length) sources = sources.intersect(c.negated ? c.set.complement() : c.set);
    else {
      exact = false;
      if (reasons === NONE) reasons = [describeCondition(c)];
      else reasons.push(describeCondition(c));
    }
  }
  if (sources.isEmpty() || ports.isEmpty()) return false;
  m.rule = rule;
  m.tcp = tcp;
  m.udp = udp;
  m.ports = ports;
  m.sources = sources;
  m.exact = exact;
  m.reasons = reasons;
  return true;
}

/** A new entry of MATCHES, in the shape listenerMatch fills in. */
function blankMatch(rule: Rule): ListenerMatch {
  return { rule, tcp: false, udp: false, ports: PortSet.NONE, sources: AddressSet.NONE, exact: true, reasons: NONE };
}

class ChainWalker {
  private readonly grants = new Map<Chain, Grant[]>();
  private readonly tables = new Map<string, Map<string, Chain>>();

  constructor(
    rs: Ruleset,
    private readonly path: Chain[],
    private readonly hook: PathHook,
    private readonly family: Family,
    private readonly result: Pick<Exposure, 'considered' | 'reached'>,
    private readonly cache?: ExposureCache,
    private readonly signatures?: ChainSignatures,
  ) {
    let rules = 0;
    for (const t of rs.tables) {
      this.tables.set(t.name, new Map(t.chains.map((c) => [c.name, c])));
      for (const c of t.chains) {
        rules += c.rules.length;
        for (const r of c.rules) {
          if (r.action.kind === 'dnat') this.hasDnat = true;
          const target = r.action.kind === 'jump' || r.action.kind === 'goto' ? this.target(c.table, r.action.chain) : undefined;
          if (target) this.callers.set(target, (this.callers.get(target) ?? 0) + 1);
        }
      }
    }
    this.bits = family === 'ipv4' ? 32n : 128n;
    this.budget = WALK_BUDGET + VISITS_PER_RULE * rules;
  }

  /** Chain summaries: without a cache, per chain and stage context; with one, in the cache (see summaries()). */
  private readonly memo = new Map<Chain, Map<string, Summary<SourceBound>[]>>();
  private readonly callers = new Map<Chain, number>();
  /** Rules this walker considered and reached (merged into the result; kept with the path in a cache). */
  private readonly trace = { considered: new IdSet(), reached: new IdSet() };
  /** What the walker's results depend on besides the chains and the input: keys summaries in the cache. */
  private walkerKey = '';
  /** Frames being recorded, and what they did in order (each keeps where its part starts). */
  private recording = 0;
  private readonly log: WalkEvent<SourceBound>[] = [];
  private readonly enteredLog: string[] = [];
  private readonly reachedLog: Rule[] = [];
  /** Counts jumps left unfollowed for a loop or the budget: a recording that saw one is not kept. */
  private taints = 0;

  private target(table: string, name: string): Chain | undefined {
    return this.tables.get(table)?.get(name);
  }

  /**
   * Interface classes are walked together: each class gets its own copy of the address space, stacked above
   * the real addresses (key = class index × 2^bits + address). One walk per protocol then answers for every
   * class at once, exactly as separate walks would, at a fraction of the cost on rulesets with many interfaces.
   */
  private classes: IfaceClass[] = [];
  private readonly bits: bigint;

  /** The chain being walked on the path, the flow it is walked for, and what that walk produced. */
  private stage!: {
    chain: Chain;
    ctx: FlowContext;
    beforeConntrack: boolean;
    accepted: Accepted[];
    forks: Flow[];
    notrack: PortMap;
    maybeNotrack: PortMap;
    maybeNotrackWhy: string[];
  };

  run(): ChainExposure[] {
    const key = this.pathKey();
    const kept = key ? carried<PathResult | null>(this.cache!, key, () => null) : null;
    const reused = kept && this.reuse(kept);
    if (reused) return reused;
    const chains = this.walkPath();
    for (const id of this.trace.considered) this.result.considered.add(id);
    for (const id of this.trace.reached) this.result.reached.add(id);
    if (key) {
      const rules = new Map(allChainsOf(this.tables).flatMap((c) => c.rules.map((r) => [r.id, r] as const)));
      const of = (ids: Iterable<number>) => [...ids].map((id) => rules.get(id)!);
      this.cache!.current.set(key, { chains, considered: of(this.trace.considered), reached: of(this.trace.reached) });
    }
    return chains;
  }

  /** With a cache: the path's chains, everything they reach, and how they sit on the hook, or undefined (a loop). */
  private pathKey(): string | undefined {
    if (!this.cache) return undefined;
    const parts = ['p', this.family, this.hook, String(this.hasDnat)];
    for (const c of this.path) {
      const sig = this.signatures!.of(c);
      if (sig === undefined) return undefined;
      parts.push(sig, `${c.hook}|${c.priority}|${c.policy}|${c.family}|${c.scope}`);
    }
    return parts.join('\u0000');
  }

  /** A path walked in the last analysis whose chains are unchanged: its result, pointing at this ruleset's rules. */
  private reuse(kept: PathResult): ChainExposure[] | undefined {
    const rules = (list: Rule[]) => list.map((r) => this.carried(r));
    const considered = rules(kept.considered);
    const reached = rules(kept.reached);
    const chains: ChainExposure[] = [];
    for (const ce of kept.chains) {
      const chain = this.target(ce.chain.table, ce.chain.name);
      if (!chain) return undefined;
      const grants: Grant[] = [];
      for (const g of ce.grants) {
        const rule = g.rule && this.carried(g.rule);
        if (g.rule && !rule) return undefined;
        grants.push({ ...g, chain, rule });
      }
      chains.push({ ...ce, chain, path: this.path, grants });
    }
    if (considered.some((r) => !r) || reached.some((r) => !r)) return undefined;
    for (const r of considered) this.result.considered.add(r!.id);
    for (const r of reached) this.result.reached.add(r!.id);
    return chains;
  }

  private walkPath(): ChainExposure[] {
    this.classes = interfaceClasses(this.reachableInterfaces());
    this.walkerKey = `${this.family}\u0000${this.hook}\u0000${this.hasDnat}\u0000${this.classes.join('\u0001')}`;
    const universe = this.keyed(
      this.classes.map((c) => (isLoopback(c) ? LOOPBACK_OF[this.family] : AddressSet.any(this.family))),
    );
    const reported = this.path.filter((c) => c.type === 'filter');
    for (const protocol of TRANSPORTS) {
      let flows: Flow[] = [{ ctx: PLAIN, map: PortMap.uniform(universe) }];
      const accepted: Accepted[] = [];
      this.path.forEach((chain, i) => {
        const last = i === this.path.length - 1;
        // What passes the last chain matters only to what earlier chains accepted (record()).
        const next = last && accepted.every((a) => a.last) ? undefined : new Flows();
        for (const flow of flows) {
          // NAT chains see only tracked connections, and only until one of them has translated the connection.
          if (chain.type === 'nat' && (flow.ctx.untracked || flow.ctx.dnat)) {
            next?.add(flow.ctx, flow.map);
            continue;
          }
          for (const out of this.stageWalk(chain, flow, protocol)) {
            next?.add(out.ctx, out.map);
            if (chain.type !== 'filter') continue;
            out.last = last;
            accepted.push(out);
          }
        }
        flows = next?.list() ?? [];
      });
      this.record(protocol, accepted, flows);
    }
    // The last filter chain on the hook is always reported; any other when it decided something.
    const last = reported.filter((c) => c.hook === this.hook).pop();
    return reported
      .filter((chain) => chain === last || this.grants.get(chain)?.length)
      .map((chain) => ({
        chain,
        family: this.family,
        hook: this.hook,
        path: this.path,
        ifaceClasses: this.classes,
        grants: this.grants.get(chain) ?? [],
      }));
  }

  /** Walks one chain of the path for one flow; returns what it lets through, as flows for the next chain. */
  private stageWalk(chain: Chain, flow: Flow, protocol: Transport): Accepted[] {
    const beforeConntrack = chain.hook === 'prerouting' && (chain.priority ?? 0) < CONNTRACK_PRIORITY;
    this.stage = {
      chain,
      ctx: flow.ctx,
      beforeConntrack,
      accepted: [],
      forks: [],
      notrack: PortMap.empty(),
      maybeNotrack: PortMap.empty(),
      maybeNotrackWhy: [],
    };
    this.undecided = [];
    const rest = this.walk(chain, flow.map, protocol);
    // Built-in chains of the other tables default to ACCEPT; a filter chain without a policy (ufw's attached
    // chains) decides nothing on its own.
    if (chain.policy === 'accept' || (chain.policy === undefined && chain.type !== 'filter'))
      this.grant(protocol, rest, undefined, [...new Set(this.undecided)], false);
    const { accepted, forks, notrack, maybeNotrack } = this.stage;
    const out: Accepted[] = [];
    for (const a of accepted) {
      if (notrack.isEmpty() && maybeNotrack.isEmpty()) {
        out.push(a);
        continue;
      }
      // NOTRACK before conntrack: those packets reach every later chain in state UNTRACKED.
      const untracked = { ...a.ctx, untracked: true };
      out.push({ ...a, ctx: untracked, map: a.map.common(notrack) });
      const maybe = a.map.common(maybeNotrack).minus(notrack);
      const why = [...new Set(this.stage.maybeNotrackWhy)];
      out.push({ ...a, ctx: { ...untracked, reasons: [...untracked.reasons, ...why] }, map: maybe });
      out.push({ ...a, ctx: { ...a.ctx, reasons: [...a.ctx.reasons, ...why] }, map: maybe });
      out.push({ ...a, map: a.map.minus(notrack).minus(maybeNotrack) });
    }
    for (const { ctx, map } of forks)
      out.push({ chain, last: false, ctx, map, rule: undefined, reasons: NONE, forceApprox: false, within: undefined, kept: false });
    return out.filter((a) => !a.map.isEmpty());
  }

  /**
   * Grants for what passes the whole path. A rule grants the part of what it accepted that every later chain
   * lets through; the last filter chain's policy grants only what no rule on the path accepted.
   */
  private record(protocol: Transport, accepted: Accepted[], passed: Flow[]): void {
    const exact = (a: Accepted) => a.rule && !a.forceApprox && !a.reasons.length && !a.ctx.reasons.length;
    let byRule: PortMap | undefined;
    // Passing an earlier chain by its policy decides nothing: the last filter chain's policy (or a rule) does.
    const lastFilter = this.path.filter((c) => c.type === 'filter').pop();
    for (const a of accepted) {
      if (!a.rule && a.chain !== lastFilter) continue;
      let map = a.map;
      if (!a.rule && accepted.some((x) => x.rule && x.chain !== a.chain)) {
        if (!byRule) {
          byRule = PortMap.empty();
          for (const x of accepted) if (exact(x)) byRule.add(x.map);
        }
        map = map.minus(byRule);
      }
      if (a.last) {
        this.emit(a, protocol, map, a.ctx.reasons);
        continue;
      }
      for (const f of passed) {
        if (f.ctx.untracked !== a.ctx.untracked || (a.ctx.dnat && dnatKey(f.ctx.dnat) !== dnatKey(a.ctx.dnat))) continue;
        const part = map.common(f.map);
        if (!part.isEmpty()) this.emit(a, protocol, part, [...a.ctx.reasons, ...f.ctx.reasons]);
      }
    }
  }

  private emit(a: Accepted, protocol: Transport, map: PortMap, pathReasons: string[]): void {
    // a.reasons has no repeats (grant()); the path's reasons are mostly none.
    const why = pathReasons.length ? [...new Set([...a.reasons, ...pathReasons])] : a.reasons;
    const list = this.grants.get(a.chain) ?? [];
    const bound = a.rule?.listener?.bound;
    const approximate = a.forceApprox || why.length > 0;
    const within = a.within?.length ? a.within : undefined;
    const { chain, rule } = a;
    const family = this.family;
    // Every grant gets every field, in one order: one object shape for the thousands a large ruleset makes.
    for (const { ports, iface, sources } of this.pieces(map, a.kept && map === a.map))
      list.push({ chain, family, protocol, ports, sources, iface, rule, approximate, reasons: why, destinations: bound, within });
    this.grants.set(a.chain, list);
  }

  private readonly ownPieces = new WeakMap<PortMap, Pieces>();

  /**
   * A map's grants as ports × real sources per interface class. Accepted maps are never changed once recorded, and
   * a replayed summary hands out the same map again (in this analysis or, through the cache, the next): so kept,
   * for maps that are in a summary (`keep`).
   */
  private pieces(map: PortMap, keep: boolean): Pieces['list'] {
    const store = this.cache?.pieces ?? this.ownPieces;
    const known = keep ? (store.get(map) as Pieces | undefined) : undefined;
    if (known?.walker === this.walkerKey) return known.list;
    const list: Pieces['list'] = [];
    for (const g of map.groups()) for (const { iface, sources } of this.unkeyed(g.sources)) list.push({ ports: g.ports, iface, sources });
    if (keep) store.set(map, { walker: this.walkerKey, list });
    return list;
  }

  /** Stacks one address set per interface class into the keyed space. */
  private keyed(perClass: (AddressSet | undefined)[]): AddressSet {
    if (this.family === 'ipv4') return this.wrap(this.keyedV4(perClass));
    const intervals: [bigint, bigint][] = [];
    perClass.forEach((set, idx) => {
      if (!set) return;
      const off = BigInt(idx) << this.bits;
      for (const [lo, hi] of this.familySet(set).intervals) intervals.push([lo + off, hi + off]);
    });
    return this.wrap(IntervalSet.fromSorted(intervals));
  }

  /** IPv4 keys stay below 2^53 (class index × 2^32 + address), so they are stacked as plain numbers. */
  private keyedV4(perClass: (AddressSet | undefined)[]): IntervalSet {
    const out: number[] = [];
    perClass.forEach((set, idx) => {
      const b = set?.v4.numberBounds();
      if (!b) return;
      const off = idx * V4_SPAN;
      for (let j = 0; j < b.length; j++) out.push(b[j] + off);
    });
    return IntervalSet.fromSortedBounds(out);
  }

  /** Splits a keyed set back into real addresses per interface class. */
  private unkeyed(set: AddressSet): { iface: IfaceClass; sources: AddressSet }[] {
    if (this.family === 'ipv4') return this.unkeyedV4(set.v4);
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

  private unkeyedV4(set: IntervalSet): { iface: IfaceClass; sources: AddressSet }[] {
    const b = set.numberBounds()!;
    const out: { iface: IfaceClass; sources: AddressSet }[] = [];
    // Keys ascend, so each class's bounds come in one run (an interval crossing a class boundary is cut there);
    // classes often hold the same sources (a rule without an interface test), and then share one set.
    let prev: readonly number[] = [];
    let prevSet = AddressSet.NONE;
    const run = UNKEY_RUN;
    let n = 0;
    let runIdx = -1;
    for (let k = 0; k <= b.length; k += 2) {
      let lo = k < b.length ? b[k] : Infinity;
      const hi = k < b.length ? b[k + 1] : Infinity;
      while (lo <= hi) {
        const idx = k < b.length ? Math.floor(lo / V4_SPAN) : -2;
        if (idx !== runIdx && n) {
          let same = prev.length === n;
          for (let q = 0; same && q < n; q++) same = prev[q] === run[q];
          if (!same) prevSet = this.wrap(IntervalSet.fromSortedBounds((prev = run.slice(0, n))));
          out.push({ iface: this.classes[runIdx], sources: prevSet });
          n = 0;
        }
        if (idx < 0) break;
        runIdx = idx;
        const base = idx * V4_SPAN;
        const top = Math.min(hi, base + V4_SPAN - 1);
        run[n++] = lo - base;
        run[n++] = top - base;
        lo = top + 1;
      }
    }
    return out;
  }

  private familySet(set: AddressSet): IntervalSet {
    return this.family === 'ipv4' ? set.v4 : set.v6;
  }

  private wrap(set: IntervalSet): AddressSet {
    return this.family === 'ipv4' ? AddressSet.of(set, IntervalSet.EMPTY) : AddressSet.of(IntervalSet.EMPTY, set);
  }

  /** Reasons of rules that might have decided packets but were not counted on to do so, in the current walk. */
  private undecided: string[] = [];

  /** Input-interface patterns in the path's chains and every chain they reach (an explicit stack: chains nest deeply). */
  private reachableInterfaces(): string[] {
    const names = new Set<string>();
    const seen = new Set<Chain>(this.path);
    const todo = [...this.path];
    for (let c = todo.pop(); c; c = todo.pop()) {
      for (const r of c.rules) {
        for (const cond of r.conditions) if (cond.kind === 'inInterface') names.add(cond.name);
        const t = r.action.kind === 'jump' || r.action.kind === 'goto' ? this.target(c.table, r.action.chain) : undefined;
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
    const frames: Frame[] = [{ chain: base, map, reasons: [], within: [], next: 0, returned: PortMap.empty(), below: 0 }];
    const onStack = new Set<Chain>();
    for (;;) {
      const f = frames[frames.length - 1];
      if (f.next >= f.chain.rules.length) {
        f.returned.add(f.map);
        frames.pop();
        const caller = frames[frames.length - 1];
        if (!caller) return f.returned;
        onStack.delete(f.chain);
        if (f.record) this.store(f);
        this.deliver(caller, f.via, f.returned, f.below + 1);
        continue;
      }
      const rule = f.chain.rules[f.next++];
      this.trace.considered.add(rule.id);
      this.budget--;
      const { action } = rule;
      if (action.kind === 'continue' || action.kind === 'none') continue;
      const m = this.evaluate(rule, protocol);
      if (!m.matches) continue;
      const target = action.kind === 'jump' || action.kind === 'goto' ? this.target(f.chain.table, action.chain) : undefined;
      const follow = target && !onStack.has(target);
      let matched: PortMap;
      if (follow && action.kind === 'jump') {
        // Only what the target can act on enters it; the rest would come straight back.
        if (!f.map.meets(m.ports, m.sources)) continue;
        const fp = this.footprint(target, protocol);
        matched = f.map.take(m.ports.intersect(fp.ports), fp.sources ? m.sources.intersect(fp.sources) : m.sources, m.exact);
      } else {
        // NOTRACK does not end the chain: its packets go on to the next rule too.
        matched = f.map.take(m.ports, m.sources, m.exact && action.kind !== 'notrack');
        if (matched.isEmpty()) continue;
      }
      this.trace.reached.add(rule.id);
      if (this.recording) this.reachedLog.push(rule);
      const why = m.exact ? f.reasons : cat(f.reasons, m.reasons);
      if (!m.exact && action.kind !== 'accept' && action.kind !== 'notrack') this.undecide(m.reasons);
      switch (action.kind) {
        case 'accept':
        case 'other': // source NAT lets the packet through; queue verdicts are decided elsewhere: it may get through
          this.grant(protocol, matched, rule, why, action.kind === 'other' && f.chain.type !== 'nat', cat(f.within, m.within));
          break;
        case 'dnat':
          this.dnat(matched, rule, why);
          break;
        case 'notrack':
          this.notrack(matched, why);
          break;
        case 'return':
          f.returned.add(matched);
          break;
        case 'jump':
        case 'goto': {
          if (!follow) {
            if (target) this.taints++; // a loop: what the chains above would do depends on the stack
            // Unknown or looping target: the packet's fate is unknown; go on as if the jump did not happen.
            if (m.exact) f.map.add(matched);
            break;
          }
          if (this.budget <= 0 || frames.length > MAX_DEPTH) {
            this.taints++;
            // Too deep or too much work to follow: assume the target may accept (an upper bound, said so).
            this.grant(
              protocol,
              matched,
              rule,
              [...why, `${action.kind} to ${action.chain} not followed (ruleset too large to trace)`],
              true,
              cat(f.within, m.within),
            );
            break;
          }
          if (matched.isEmpty()) {
            this.markConsidered(target);
            break;
          }
          const via = action.kind === 'goto' ? 'goto' : m.exact ? 'jump' : undefined;
          const within = cat(f.within, m.within);
          const memo = this.summaries(target, protocol);
          const known = memo?.find((s) => s.input.equals(matched));
          if (known && this.replayable(known, target, frames.length, onStack)) {
            if (this.cache) this.cache.stats.replayed++;
            this.replay(known, target, protocol, why, within);
            this.deliver(f, via, known.returned, known.depth + 1);
            break;
          }
          onStack.add(target);
          const frame: Frame = { chain: target, map: matched, reasons: why, within, next: 0, returned: PortMap.empty(), via, below: 0 };
          if (this.cache) this.cache.stats.walked++;
          if (memo && this.recording < MAX_RECORDING) this.startRecording(frame, memo);
          // Every chain entered inside a recording belongs to it (its rules were considered; it must not be on the stack).
          if (this.recording) this.enteredLog.push(target.name);
          frames.push(frame);
          break;
        }
        default: // drop, reject
          break;
      }
    }
  }

  /** What a finished chain hands back: a goto's result leaves the caller too; an inexact jump's is not put back. */
  private deliver(caller: Frame, via: Frame['via'], returned: PortMap, depth: number): void {
    if (via === 'goto') caller.returned.add(returned);
    else if (via === 'jump') caller.map.add(returned);
    if (depth > caller.below) caller.below = depth;
  }

  /**
   * Summaries of `chain` for the current stage and protocol, or undefined when it is not worth keeping them:
   * without a cache, only chains jumped to from more than one rule can be entered twice with the same input.
   */
  private summaries(chain: Chain, protocol: Transport): Summary<SourceBound>[] | undefined {
    const { ctx, beforeConntrack } = this.stage;
    const context = `${protocol}\u0000${ctx.untracked}\u0000${dnatKey(ctx.dnat)}\u0000${beforeConntrack}`;
    if (this.cache) {
      const sig = this.signatures!.of(chain);
      if (sig === undefined) return undefined;
      return carried(this.cache, `s\u0000${this.walkerKey}\u0000${context}\u0000${sig}`, () => [] as Summary<SourceBound>[]);
    }
    if ((this.callers.get(chain) ?? 0) < 2) return undefined;
    let byContext = this.memo.get(chain);
    if (!byContext) this.memo.set(chain, (byContext = new Map()));
    let list = byContext.get(context);
    if (!list) byContext.set(context, (list = []));
    return list;
  }

  /** A summary stands for a walk here when the budget and depth allow that walk and none of its chains is on the stack. */
  private replayable(s: Summary<SourceBound>, chain: Chain, depth: number, onStack: Set<Chain>): boolean {
    if (this.budget - s.visits <= 0 || depth + 1 + s.depth > MAX_DEPTH) return false;
    for (const name of s.entered) {
      const c = this.target(chain.table, name);
      if (!c || onStack.has(c)) return false;
    }
    return s.trace === this.trace || s.reached.every((r) => this.carried(r) !== undefined);
  }

  /** The rule of this ruleset at the place `rule` held in the ruleset a cached result came from. */
  private carried(rule: Rule): Rule | undefined {
    const at = this.cache?.positions.get(rule);
    return at && this.target(at[0], at[1])?.rules[at[2]];
  }

  /** Does what walking `chain` did when the summary was made, with this caller's reasons and source bounds. */
  private replay(s: Summary<SourceBound>, chain: Chain, protocol: Transport, reasons: string[], within: SourceBound[]): void {
    const same = s.trace === this.trace;
    const rule = (r: Rule) => (same ? r : this.carried(r)!);
    this.replaying = true;
    for (const e of s.events) {
      if (e.kind === 'grant') this.grant(protocol, e.map, rule(e.rule), cat(reasons, e.reasons), e.forceApprox, cat(within, e.within));
      else if (e.kind === 'dnat') this.dnat(e.map, rule(e.rule), cat(reasons, e.why));
      else if (e.kind === 'notrack') this.notrack(e.map, cat(reasons, e.why));
      else this.undecide(e.reasons);
    }
    this.replaying = false;
    this.budget -= s.visits;
    if (this.recording) {
      for (const name of s.entered) this.enteredLog.push(name);
      for (const r of s.reached) this.reachedLog.push(rule(r));
    }
    if (same) return;
    for (const name of s.entered) for (const r of this.target(chain.table, name)!.rules) this.trace.considered.add(r.id);
    for (const r of s.reached) this.trace.reached.add(rule(r).id);
  }

  /** Set while a summary is replayed: the maps it grants are the summary's own. */
  private replaying = false;

  private startRecording(frame: Frame, list: Summary<SourceBound>[]): void {
    this.recording++;
    frame.record = {
      list,
      input: frame.map.clone(),
      log: this.log.length,
      entered: this.enteredLog.length,
      reached: this.reachedLog.length,
      budget: this.budget,
      taints: this.taints,
    };
  }

  /** Keeps what a recorded frame did as a summary, unless a loop or the budget made it depend on its caller. */
  private store(f: Frame): void {
    const rec = f.record!;
    this.recording--;
    if (this.taints === rec.taints) {
      const p = f.reasons.length;
      const w = f.within.length;
      rec.list.push({
        input: rec.input,
        returned: f.returned,
        events: this.log.slice(rec.log).map((e) => {
          switch (e.kind) {
            case 'grant':
              return { ...e, reasons: e.reasons.slice(p), within: e.within.slice(w) };
            case 'dnat':
            case 'notrack':
              return { ...e, why: e.why.slice(p) };
            default:
              return e;
          }
        }),
        entered: this.enteredLog.slice(rec.entered),
        reached: this.reachedLog.slice(rec.reached),
        visits: rec.budget - this.budget,
        depth: f.below,
        trace: this.trace,
      });
    }
    if (!this.recording) this.log.length = this.enteredLog.length = this.reachedLog.length = 0;
  }

  private undecide(reasons: string[]): void {
    this.undecided.push(...reasons);
    if (this.recording) this.log.push({ kind: 'undecided', reasons });
  }

  /** NOTRACK changes something only before conntrack has attached to the packet; it does not end the chain. */
  private notrack(map: PortMap, why: string[]): void {
    if (this.recording) this.log.push({ kind: 'notrack', map, why });
    if (!this.stage.beforeConntrack) return;
    if (!why.length) this.stage.notrack.add(map);
    else {
      this.stage.maybeNotrack.add(map);
      this.stage.maybeNotrackWhy.push(...why);
    }
  }

  private readonly marked = new Set<Chain>();

  /** A chain entered with nothing left to decide: its rules were considered, none reached. */
  private markConsidered(chain: Chain): void {
    if (this.recording) this.enteredLog.push(chain.name);
    if (this.marked.has(chain)) return;
    this.marked.add(chain);
    for (const r of chain.rules) this.trace.considered.add(r.id);
  }

  private readonly footprints: Record<Transport, Map<Chain, Box>> = { tcp: new Map(), udp: new Map() };

  /**
   * Everything a chain (and the chains it reaches) could act on for one protocol, in any flow context, as a box
   * of (original destination) ports × keyed sources. Larger than exact is harmless (more enters the chain,
   * which then decides as before); a packet outside the box matches no rule there and would only fall off its
   * end. Cycles and very fragmented boxes
   * widen to "any source". Computed once per chain, with an explicit stack.
   */
  private footprint(chain: Chain, protocol: Transport): Box {
    const memo = this.footprints[protocol];
    const known = memo.get(chain);
    if (known) return known;
    const kept = this.keptFootprint(chain, protocol);
    if (kept) return kept;
    const stack: { chain: Chain; next: number; box: Box }[] = [{ chain, next: 0, box: { ports: PortSet.NONE, sources: AddressSet.NONE } }];
    const open = new Set<Chain>([chain]);
    while (stack.length) {
      const f = stack[stack.length - 1];
      // A box of every port and source cannot grow: the chain's remaining rules need no look.
      if (f.next >= f.chain.rules.length || (!f.box.sources && f.box.ports.isAll())) {
        memo.set(f.chain, f.box);
        const key = this.footprintKey(f.chain, protocol);
        if (key) this.cache!.current.set(key, f.box);
        open.delete(f.chain);
        stack.pop();
        continue;
      }
      const rule = f.chain.rules[f.next];
      const { action } = rule;
      const m = action.kind === 'continue' || action.kind === 'none' ? undefined : this.anyContext(rule, protocol);
      if (!m) {
        f.next++;
        continue;
      }
      let box: Box = { ports: m.ports, sources: m.sources };
      if (action.kind === 'jump') {
        const target = this.target(f.chain.table, action.chain);
        if (target && !memo.has(target) && !open.has(target) && !this.keptFootprint(target, protocol)) {
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

  private footprintKey(chain: Chain, protocol: Transport): string | undefined {
    const sig = this.cache && this.signatures!.of(chain);
    return sig ? `f\u0000${this.walkerKey}\u0000${protocol}\u0000${sig}` : undefined;
  }

  /** With a cache, a chain whose structure is unchanged keeps its box from the last analysis. */
  private keptFootprint(chain: Chain, protocol: Transport): Box | undefined {
    const key = this.footprintKey(chain, protocol);
    const kept = key ? carried<Box | null>(this.cache!, key, () => null) : null;
    if (kept) this.footprints[protocol].set(chain, kept);
    return kept ?? undefined;
  }

  /** Records what a chain accepts; what becomes a grant depends on the rest of the path (run()). */
  private grant(
    _protocol: Transport,
    map: PortMap,
    rule: Rule | undefined,
    reasons: string[],
    forceApprox: boolean,
    within: SourceBound[] = [],
  ): void {
    if (map.isEmpty()) return;
    if (this.recording) this.log.push({ kind: 'grant', map, rule: rule!, reasons, forceApprox, within });
    this.stage.accepted.push({
      chain: this.stage.chain,
      last: false,
      ctx: this.stage.ctx,
      map,
      rule,
      reasons: reasons.length > 1 ? [...new Set(reasons)] : reasons,
      forceApprox,
      within: within.length ? within : undefined,
      kept: this.recording > 0 || this.replaying,
    });
  }

  /** Destination NAT ends the NAT chain: the connection goes on with its new destination. */
  private dnat(map: PortMap, rule: Rule, why: string[]): void {
    if (this.recording) this.log.push({ kind: 'dnat', map, rule, why });
    const action = rule.action as DnatAction;
    const reasons = [...this.stage.ctx.reasons, ...why];
    // REDIRECT always delivers to this host; DNAT to an address does so only when it is one of the host's own.
    if (action.redirect && this.hook !== 'input') return;
    if (!action.redirect && action.toAddress) {
      reasons.push(
        `DNAT to ${action.toAddress}: ${this.hook === 'input' ? "delivered here only if that is one of this host's addresses" : "forwarded only if that is not one of this host's addresses"}`,
      );
    }
    this.stage.forks.push({ ctx: { ...this.stage.ctx, dnat: action, reasons: [...new Set(reasons)] }, map });
  }

  /** Per rule: its compiled form, its keyed match, and its match per kind of flow (one lookup per visit). */
  private readonly matches = new Map<Rule, RuleMatch>();
  /** The same by rule id (ids are small integers; a Map keyed by rule objects costs a hash per rule): the first rule of an id. */
  private readonly byId: (RuleMatch | undefined)[] = [];

  private matchOf(rule: Rule): RuleMatch | undefined {
    const known = this.byId[rule.id];
    return known?.rule === rule ? known : this.matches.get(rule);
  }

  private readonly keyedBySet = new Map<IntervalSet, Map<string, AddressSet>>();

  private evaluate(rule: Rule, protocol: Transport, inFlow = true): MatchResult {
    let state = this.matchOf(rule);
    if (!state) {
      const c = compile(rule, this.family);
      const tcp = !c.impossible && c.protocols.tcp;
      const udp = !c.impossible && c.protocols.udp && !c.needsTcp;
      state = { rule, c, tcp, udp, m: undefined, byKind: undefined };
      if (smallId(rule.id) && this.byId[rule.id] === undefined) this.byId[rule.id] = state;
      else this.matches.set(rule, state);
    }
    if (protocol === 'tcp' ? !state.tcp : !state.udp) return NO_MATCH;
    const c = state.c;
    let m = state.m;
    if (!m) {
      // The rule's sources, stacked for every interface class its interface tests let through. Rules naming
      // the same network (the parser shares its set) on the same classes share the stacked set too.
      const { passes, mask } = this.classMask(c.ifaces);
      const own = this.familySet(c.result.sources);
      let byMask = this.keyedBySet.get(own);
      if (!byMask) this.keyedBySet.set(own, (byMask = new Map()));
      let sources = byMask.get(mask);
      const all = c.result.sources;
      if (!sources) byMask.set(mask, (sources = this.keyed(passes.map((p) => (p ? all : undefined)))));
      const r = c.result;
      const keyed = { matches: true, ports: r.ports, sources, exact: r.exact, reasons: r.reasons, within: r.within };
      m = state.m = sources.isEmpty() ? NO_MATCH : keyed;
    }
    if (!m.matches || !inFlow) return m;
    const { ctx, beforeConntrack } = this.stage;
    if (c.plain && !ctx.dnat?.toPorts) return m;
    // Without a port rewrite the match depends only on the kind of flow: computed once per rule and kind.
    if (ctx.dnat?.toPorts) return this.inContext(c, m);
    const kind = (beforeConntrack ? 1 : 0) | (ctx.untracked ? 2 : 0) | (ctx.dnat ? 4 : 0);
    const byKind = (state.byKind ??= []);
    return (byKind[kind] ??= this.inContext(c, m));
  }

  private readonly masks = new Map<string, { passes: boolean[]; mask: string }>();

  /** Which interface classes a rule's interface tests let through; rules mostly repeat a few tests, so per test list. */
  private classMask(ifaces: Compiled['ifaces']): { passes: boolean[]; mask: string } {
    const key = ifaces.map((t) => `${t.negated ? 1 : 0}${t.name}`).join('\u0000');
    let known = this.masks.get(key);
    if (!known) {
      const passes = this.classes.map((cls) => ifaces.every((t) => matchesInterface(t.name, cls) !== t.negated));
      this.masks.set(key, (known = { passes, mask: passes.map(Number).join('') }));
    }
    return known;
  }

  /** A match as the current flow sees it: its connection state and, after DNAT, its rewritten destination port. */
  /**
   * What a rule can match in any flow context, or undefined when it never matches: its keyed sources and its
   * ports (in context they only narrow, except under DNAT, where the original-port test alone applies).
   */
  private anyContext(rule: Rule, protocol: Transport): { ports: PortSet; sources: AddressSet } | undefined {
    const m = this.evaluate(rule, protocol, false);
    if (!m.matches) return undefined;
    return { ports: this.hasDnat ? this.matchOf(rule)!.c.origPorts.union(m.ports) : m.ports, sources: m.sources };
  }

  /** Whether any flow can carry a DNAT context (then a rule's port test may see the translated port). */
  private hasDnat = false;

  private inContext(c: Compiled, m: MatchResult): MatchResult {
    const { ctx, beforeConntrack } = this.stage;
    const to = ctx.dnat?.toPorts;
    if (c.plain && !to) return m;
    let exact = m.exact;
    const reasons = [...m.reasons];
    if (c.conntrack && beforeConntrack) {
      exact = false;
      reasons.push('connection state tested before conntrack has seen the packet');
    } else if (c.conntrack) {
      if (!(c.stateMask & (ctx.untracked ? UNTRACKED : ctx.dnat ? DNATED : NEW))) return NO_MATCH;
      if (c.tuple && ctx.untracked) {
        exact = false;
        reasons.push('conntrack tuple of an untracked packet');
      }
    }
    // The walk's ports are the original destination ports; a test of the packet's port sees the DNAT target.
    let ports = c.origPorts;
    if (to) {
      const target = PortSet.range(to[0], to[1]);
      if (!c.packetPorts.overlaps(target)) return NO_MATCH;
      if (!c.packetPorts.covers(target)) {
        exact = false;
        reasons.push(`DNAT to ports ${to[0]}-${to[1]}, of which the rule matches only some`);
      }
    } else ports = ports.intersect(c.packetPorts);
    if (ports.isEmpty()) return NO_MATCH;
    return { matches: true, ports, sources: m.sources, exact, reasons, ...(m.within ? { within: m.within } : {}) };
  }
}

/** Two lists one after the other; either itself when the other is empty (lists here are never changed once made). */
function cat<T>(a: readonly T[], b: readonly T[] | undefined): T[] {
  if (!b?.length) return a as T[];
  return a.length ? [...a, ...b] : (b as T[]);
}

/** Parsers number rules 0, 1, 2 …; synthetic rules (-1) and hand-made ones may not. */
function smallId(id: number): boolean {
  return id >= 0 && id < 1 << 24 && Number.isInteger(id);
}

/**
 * Rule ids in the order first added: the walk adds a rule's id on every visit (thousands of times for one id on a
 * large ruleset), so repeats are told by a bitmap, cheaper than a Set's hashing.
 */
class IdSet {
  private seen = new Uint8Array(1024);
  private readonly order: number[] = [];
  /** Ids no bitmap should hold (synthetic rules have -1; tests may pick any number). */
  private readonly other = new Set<number>();
  add(id: number): void {
    if (!smallId(id)) {
      if (!this.other.has(id)) this.order.push(id);
      this.other.add(id);
      return;
    }
    if (id >= this.seen.length) {
      const grown = new Uint8Array(Math.max(id + 1, this.seen.length * 2));
      grown.set(this.seen);
      this.seen = grown;
    }
    if (this.seen[id]) return;
    this.seen[id] = 1;
    this.order.push(id);
  }
  [Symbol.iterator](): Iterator<number> {
    return this.order[Symbol.iterator]();
  }
}

const NO_MATCH: MatchResult = { matches: false, ports: PortSet.NONE, sources: AddressSet.NONE, exact: true, reasons: [] };

/** The kinds of new connection a state test tells apart (bits of Compiled.stateMask). */
const NEW = 1;
const DNATED = 2;
const UNTRACKED = 4;
const ANY_STATE = NEW | DNATED | UNTRACKED;

function stateBits(states: ConnState[], negated: boolean): number {
  const bits =
    (states.includes('new') ? NEW | DNATED : 0) | (states.includes('dnat') ? DNATED : 0) | (states.includes('untracked') ? UNTRACKED : 0);
  return negated ? ANY_STATE & ~bits : bits;
}

/** A rule's conditions folded once into what the walk needs per (protocol, interface class). */
export interface Compiled {
  /** True when the rule can never match a new, untranslated TCP/UDP connection (e.g. ESTABLISHED only). */
  never: boolean;
  /** True when the rule matches no new connection at all, whatever NAT or NOTRACK did before. */
  impossible: boolean;
  protocols: Record<Transport, boolean>;
  /** TCP flag tests only ever match TCP. */
  needsTcp: boolean;
  ifaces: { name: string; negated: boolean }[];
  /** The match for a plain new connection (no NAT, tracked). */
  result: MatchResult;
  /** Which kinds of new connection the state tests let through (NEW, DNATED, UNTRACKED bits). */
  stateMask: number;
  /** Tests of the packet's destination port, and of the connection's original one (equal without DNAT). */
  packetPorts: PortSet;
  origPorts: PortSet;
  /** The rule tests connection tracking (state, status or tuple), or a tuple in particular. */
  conntrack: boolean;
  tuple: boolean;
  /** Nothing in the rule depends on NAT or tracking. */
  plain: boolean;
}

const compiledByRule = new WeakMap<Rule, Partial<Record<Family, Compiled>>>();

/** A rule's conditions folded for one family; memoised, since checks compile the same rules many times. */
export function compile(rule: Rule, family: Family): Compiled {
  let byFamily = compiledByRule.get(rule);
  if (!byFamily) compiledByRule.set(rule, (byFamily = {}));
  return (byFamily[family] ??= compileRule(rule, family));
}

function compileRule(rule: Rule, family: Family): Compiled {
  const protocols = { tcp: true, udp: true };
  let needsTcp = false;
  let impossible = false;
  let packetPorts = PortSet.ALL;
  let origPorts = PortSet.ALL;
  let sources = AddressSet.any(family);
  let exact = true;
  let stateMask = ANY_STATE;
  let conntrack = false;
  let tuple = false;
  const reasons: string[] = [];
  const within: SourceBound[] = [];
  const ifaces: { name: string; negated: boolean }[] = [];
  const protocol = (names: string[], negated: boolean) => {
    for (const p of TRANSPORTS) {
      const has = names.includes(p) || names.includes(p === 'tcp' ? '6' : '17');
      if (has === negated) protocols[p] = false;
    }
  };
  const inexact = (c: Condition) => {
    exact = false;
    reasons.push(describeCondition(c));
  };
  for (const c of rule.conditions) {
    switch (c.kind) {
      case 'protocol':
        protocol(c.protocols, c.negated);
        break;
      case 'inInterface':
        ifaces.push({ name: c.name, negated: c.negated });
        break;
      case 'source':
        if (c.unresolved?.length) {
          // Host names, run-time tables and interface networks resolve at load time: unknown here.
          inexact(c);
          if (!c.negated) within.push({ text: `addresses in ${c.unresolved.join(', ')}`, local: !!c.local });
          break;
        }
        sources = sources.intersect(c.negated ? c.set.complement() : c.set);
        break;
      case 'dport':
        packetPorts = packetPorts.intersect(c.negated ? c.set.complement() : c.set);
        break;
      case 'port':
        // Either port may match; the destination part is exact, the source-port part is not.
        if (!c.negated) packetPorts = packetPorts.intersect(c.set);
        exact = false;
        reasons.push('multiport --ports (matches source ports too)');
        break;
      case 'state':
        conntrack = true;
        stateMask &= stateBits(c.states, c.negated);
        break;
      case 'ctTuple':
        // Original tuple = the packet as it arrived; reply tuple = the original reversed after destination NAT.
        conntrack = tuple = true;
        if (c.field === 'protocol') protocol(c.protocols, c.negated);
        else if (c.field === 'source' || c.field === 'destination') {
          if ((c.field === 'source') === (c.direction === 'original')) sources = sources.intersect(c.negated ? c.set.complement() : c.set);
          else inexact(c); // this host's address (before or after DNAT): unknown here
        } else if (c.field === 'dport' && c.direction === 'original')
          origPorts = origPorts.intersect(c.negated ? c.set.complement() : c.set);
        else if (c.field === 'sport' && c.direction === 'reply')
          packetPorts = packetPorts.intersect(c.negated ? c.set.complement() : c.set);
        else inexact(c); // the client's source port
        break;
      case 'tcpFlags':
        needsTcp = true;
        if (c.syn === c.negated) impossible = true;
        break;
      case 'destination': {
        inexact(c);
        // Scoped destinations (fe80::/64, 224.0.0.251, 239.255.255.250) are never delivered from the internet.
        const scoped = !c.negated && !c.unresolved?.length ? localScoped(c.set) : undefined;
        if (scoped) within.push({ text: `hosts on local networks (destination ${scoped} is link- or site-scoped)`, local: true });
        break;
      }
      case 'outInterface':
      case 'sport':
      case 'opaque':
        inexact(c);
        break;
    }
  }
  // A rule written for one family (nft `ip saddr`, pf `inet6`) never matches the other's packets.
  if (rule.family !== 'both' && rule.family !== family) impossible = true;
  const ports = packetPorts.intersect(origPorts);
  if (sources.isEmpty() || stateMask === 0 || packetPorts.isEmpty() || origPorts.isEmpty()) impossible = true;
  const never = impossible || ports.isEmpty() || !(stateMask & NEW);
  const plain = !conntrack && origPorts.isAll();
  return {
    never,
    impossible,
    protocols,
    needsTcp,
    ifaces,
    stateMask,
    packetPorts,
    origPorts,
    conntrack,
    tuple,
    plain,
    result: { matches: true, ports, sources, exact, reasons, ...(within.length ? { within } : {}) },
  };
}

/**
 * Destinations the internet never delivers to: link-local unicast and limited broadcast, IPv4 local-network and
 * administratively scoped multicast (224.0.0.0/24, 239.0.0.0/8), IPv6 multicast of interface, link, site and
 * organisation scope (ffX1, ffX2, ffX5, ffX8 for every flag value X).
 */
const LOCAL_SCOPE = [
  '169.254.0.0/16',
  '224.0.0.0/24',
  '239.0.0.0/8',
  '255.255.255.255/32',
  'fe80::/10',
  ...[...'0123456789abcdef'].flatMap((x) => ['1', '2', '5', '8'].map((scope) => `ff${x}${scope}::/16`)),
]
  .map((n) => AddressSet.parse(n)!)
  .reduce((a, b) => a.union(b));

/** The set's text when every address in it is local in scope. */
function localScoped(set: AddressSet): string | undefined {
  return !set.isEmpty() && LOCAL_SCOPE.covers(set) ? set.describe(2) : undefined;
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
    case 'source':
    case 'destination': {
      const what = c.unresolved?.length
        ? `${c.unresolved.join(', ')}, ${c.local ? "this host's interface addresses" : 'resolved outside this file'}`
        : c.set.describe(2);
      return `${c.negated ? 'not ' : ''}${c.kind} ${what}`;
    }
    case 'outInterface':
      return `output interface ${c.negated ? '!' : ''}${c.name}`;
    case 'sport':
      return `source port ${c.negated ? 'not ' : ''}${c.set.toString()}`;
    case 'ctTuple': {
      let what: string;
      if (c.field === 'protocol') what = c.protocols.join(',');
      else if (c.field === 'sport' || c.field === 'dport') what = c.set.toString();
      else what = (c.set as AddressSet).describe(2);
      const field = { source: 'source', destination: 'destination', sport: 'source port', dport: 'destination port', protocol: 'protocol' }[
        c.field
      ];
      return `conntrack ${c.direction} ${field} ${c.negated ? 'not ' : ''}${what}`;
    }
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
