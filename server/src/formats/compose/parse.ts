/**
 * docker-compose files → model. Each service is a chain (table `compose`, chain = service name) whose rules
 * are its published ports; `expose:` ports are recorded as declared only. Syntax only: what is risky is
 * decided by analysis.
 */
import type { Node, Pair, Scalar } from '../yaml/document';
import { AddressSet } from '../../model/addresses';
import type { Finding } from '../../model/finding';
import type { Range } from '../../model/range';
import type { Chain, Listener, PortItem, Ruleset, Table } from '../../model/ruleset';
import type { ParseContext } from '../format';
import { EPHEMERAL, listenerRule, parsePortRange, resourceChain, type ListenerSpec } from '../listener';
import { get, isMap, isScalar, isSeq, items, mergedItems, readingProblems, readYaml, scalar, text, valueRange, type YamlFile } from '../yaml/document';
import { interpolate, parseEnvFile, sourceOffset, type Interpolated } from '../interpolate';
import { effectiveMode, MERGE_TAGS, partnerNames, portKey, type Partner, type ServiceFacts } from './override';

interface Ctx {
  file: YamlFile;
  env: Map<string, string>;
  problems: Finding[];
  nextId: number;
  /** The other file of a compose.yaml / compose.override.yaml pair, when there is one. */
  partner?: Partner;
  /** What this file says about each service, for its partner. */
  facts: Map<string, ServiceFacts>;
  /** This file is read as another's partner: its facts are the result, port keys included. */
  forPartner: boolean;
  /** Host addresses read so far, by their text. */
  addresses: Map<string, AddressSet | undefined>;
}

export function parseCompose(source: string, pc: ParseContext): Ruleset {
  const envText = pc.readBeside?.('.env');
  const env = envText ? parseEnvFile(envText) : new Map<string, string>();
  return read(source, env, readPartner(pc, env)).ruleset;
}

function read(source: string, env: Map<string, string>, partner?: Partner, forPartner = false): { ruleset: Ruleset; facts: Ctx['facts'] } {
  const file = readYaml(source, 'Compose file', MERGE_TAGS);
  const ctx: Ctx = { file, env, problems: [...file.problems], nextId: 0, partner, facts: new Map(), forPartner, addresses: new Map() };
  const table: Table = { name: 'compose', family: 'both', range: file.range(0, 0), chains: [] };
  const root = file.docs[0]?.contents;
  const services = get(file, root, 'services');
  if (isMap(services)) {
    for (const pair of mergedItems(file, services)) {
      const name = text(file, pair.key);
      if (name === undefined) continue;
      table.chains.push(service(ctx, name, pair));
    }
  }
  ctx.problems.push(...readingProblems(file));
  return { ruleset: { format: 'compose', family: 'both', tables: [table], problems: ctx.problems, publishedBy: 'docker' }, facts: ctx.facts };
}

/** The base or override file Docker Compose reads with this one (the first of its default names that exists). */
function readPartner(pc: ParseContext, env: Map<string, string>): Partner | undefined {
  const which = partnerNames(pc.path);
  if (!which || !pc.readBeside) return undefined;
  for (const name of which.names) {
    const t = pc.readBeside(name);
    if (t !== undefined) return { name, role: which.role, services: read(t, env, undefined, true).facts };
  }
  return undefined;
}

function service(ctx: Ctx, name: string, pair: Pair): Chain {
  const { file, partner } = ctx;
  const def = file.deref(pair.value);
  const chain = resourceChain('compose', name, `compose service ${name}`, file.rangeOf(pair.key as Node), true);
  const mode = get(file, def, 'network_mode');
  const modeText = text(file, mode);
  const portsNode = get(file, def, 'ports');
  // What the file says about the service, only for a partner that reads it.
  const facts: ServiceFacts | undefined = ctx.forPartner
    ? { networkMode: modeText, portsTag: portsNode?.tag, ports: new Set() }
    : undefined;
  if (facts) ctx.facts.set(name, facts);
  const other = partner?.services.get(name);
  const effective = effectiveMode(modeText, partner, name);
  // With the host's network stack, port mappings are ignored: every listener of the container is on the host.
  const hostMode = effective.mode === 'host';
  if (hostMode && effective.here) chain.hostNetwork = file.rangeOf(mode);
  const unpublished = hostMode
    ? `port mapping ignored with network_mode: host${effective.here ? '' : ` (set in ${partner!.name})`}`
    : partner?.role === 'override' && other?.portsTag
      ? `not published: ${partner.name} replaces this service's ports (${other.portsTag})`
      : undefined;
  // Docker Compose refuses ports that are not a list of texts or mappings: say so rather than read nothing.
  if (portsNode && !isSeq(portsNode) && !(isScalar(portsNode) && portsNode.value === null))
    ctx.problems.push({
      code: 'PC001',
      severity: 'error',
      range: file.rangeOf(portsNode),
      message: 'ports: must be a list of "HOST:CONTAINER" texts or mappings with `target`.',
    });
  for (const entry of items(file, portsNode)) {
    const spec = isMap(entry) ? longPort(ctx, entry) : isScalar(entry) ? shortPort(ctx, entry) : undefined;
    if (!isMap(entry) && !isScalar(entry))
      ctx.problems.push({
        code: 'PC001',
        severity: 'error',
        range: file.rangeOf(entry),
        message: 'ports: an entry must be a "HOST:CONTAINER" text or a mapping with `target`, not a list.',
      });
    if (!spec) continue;
    // An entry the base file already publishes is one port mapping, not two: its findings stay on the base file.
    const twice = partner?.role === 'base' && !portsNode?.tag && other?.ports.size && other.ports.has(portKey(spec));
    const why = unpublished ?? (twice ? `also published by ${partner.name} (Docker keeps one mapping)` : undefined);
    if (why) spec.listener = { ...spec.listener, published: false, via: why };
    // Keys (the binding worded, the ports …) only for a partner that reads them.
    else if (facts) facts.ports.add(portKey(spec));
    listenerRule(chain, ctx.nextId++, spec);
  }
  for (const entry of items(file, get(file, def, 'expose'))) {
    const s = scalar(file, entry);
    if (!s) continue;
    const raw = String(s.value);
    const iv = interpolate(raw, ctx.env);
    const e = exposed(iv.text.trim());
    const r = e && parsePortRange(e.ports);
    if (!e || !r) {
      if (!iv.unresolved.length)
        ctx.problems.push({
          code: 'PC001',
          severity: 'error',
          range: file.rangeOf(s),
          message: `expose: \`${raw}\` is not a port, a range or port/protocol.`,
        });
      continue;
    }
    const item = portItem(ctx, s, iv, 0, e.ports.length, r.lo, r.hi);
    if (!item) continue;
    listenerRule(chain, ctx.nextId++, {
      range: file.rangeOf(s),
      protocol: e.protocol,
      items: [item],
      listener: EXPOSED,
    });
  }
  return chain;
}

/** An `expose:` entry, PORT[-PORT][/PROTOCOL], split without a match list per entry (files have hundreds). */
function exposed(t: string): { ports: string; protocol: string } | undefined {
  const slash = t.indexOf('/');
  const ports = slash < 0 ? t : t.slice(0, slash);
  const protocol = slash < 0 ? 'tcp' : t.slice(slash + 1);
  if (!DIGITS_AROUND.test(ports) || (slash >= 0 && !WORD.test(protocol))) return undefined;
  return { ports, protocol };
}
/** Starts and ends with a digit (parsePortRange checks the rest; it would also take spaces around). */
const DIGITS_AROUND = /^\d(?:.*\d)?$/;
const WORD = /^\w+$/;

/** A PortItem for part [from, from+len) of the interpolated text, after range checks. */
function portItem(
  ctx: Ctx,
  s: Scalar,
  iv: Interpolated,
  from: number,
  len: number,
  lo: number,
  hi: number,
  label?: string,
): PortItem | undefined {
  if (!portsValid(ctx, s, iv, from, len, lo, hi)) return undefined;
  return { text: label ?? iv.text.slice(from, from + len), range: partRange(ctx.file, s, iv, from, len), lo, hi };
}

/** Range checks of part [from, from+len) of the interpolated text; a failure is reported there. */
function portsValid(ctx: Ctx, s: Scalar, iv: Interpolated, from: number, len: number, lo: number, hi: number): boolean {
  const outOfRange = lo > 65535 || hi > 65535 || lo < 0;
  if (!outOfRange && hi >= lo) return true;
  const range = partRange(ctx.file, s, iv, from, len);
  const t = iv.text.slice(from, from + len);
  if (outOfRange) ctx.problems.push({ code: 'PC002', severity: 'error', range, message: `Port ${t} is out of range: ports are 1–65535.` });
  else ctx.problems.push({ code: 'PC003', severity: 'error', range, message: `Port range ${t} is reversed: it covers no port.` });
  return false;
}

/** Source range of part of a scalar's interpolated value; a part that came from `${…}` covers the whole variable. */
function partRange(file: YamlFile, s: Scalar, iv: Interpolated, from: number, len: number): Range {
  // No variable: the part is where it is in the value.
  if (!iv.map && from + len <= iv.text.length) return valueRange(file, s, from, len);
  const raw = String(s.value);
  const a = sourceOffset(iv, from) ?? raw.length;
  let end = a;
  for (let i = from; i < from + len; i++) end = Math.max(end, sourceEnd(raw, sourceOffset(iv, i)!));
  return valueRange(file, s, a, Math.max(0, end - a));
}

/** End (exclusive) in the raw value of the source text that produced the character at `at`. */
function sourceEnd(raw: string, at: number): number {
  if (raw[at] !== '$') return at + 1;
  if (raw[at + 1] === '{') {
    let depth = 0;
    for (let i = at + 1; i < raw.length; i++) {
      if (raw[i] === '{') depth++;
      else if (raw[i] === '}' && --depth === 0) return i + 1;
    }
    return raw.length;
  }
  const m = /^\$[A-Za-z_][A-Za-z0-9_]*/.exec(raw.slice(at));
  return at + (m ? m[0].length : 1);
}

/** Every `expose:` entry's listener: one object, as it holds nothing of its own (listeners are never changed). */
const EXPOSED: Listener = { published: false, via: 'expose (container network only)', role: 'expose' };

interface Binding {
  bound?: AddressSet;
  boundRange?: Range;
  unknown: string[];
}

const UNBOUND: Binding = { unknown: [] };

function binding(ctx: Ctx, ipText: string | undefined, range: Range | undefined, unresolved: string[]): Binding | string {
  const unknown = unresolved.length ? unresolved.map((v) => `\${${v}} has no value here (no default and no .env entry)`) : unresolved;
  if (ipText === undefined || ipText === '') {
    // An unresolved host address may be anything: assume all addresses, approximately. (Most entries name no
    // address and no variable: they share one binding, which nothing changes.)
    return unknown.length ? { unknown } : UNBOUND;
  }
  const ip = ipText.startsWith('[') ? ipText.replace(/^\[(.*)\]$/, '$1') : ipText;
  if (ip === '0.0.0.0') return { bound: AddressSet.any('ipv4'), boundRange: range, unknown };
  if (ip === '::') return { bound: AddressSet.any('ipv6'), boundRange: range, unknown };
  // Files bind many ports to the same address: one set per address text (sets are immutable).
  let set = ctx.addresses.get(ip);
  if (set === undefined && !ctx.addresses.has(ip)) ctx.addresses.set(ip, (set = AddressSet.parse(ip)));
  if (!set || ip.includes('/')) return `host address \`${ipText}\` is not an IP address`;
  return { bound: set, boundRange: range, unknown };
}

// Expressions as module constants: a literal in a function is a new object each time it runs (per port entry here).
const COMPOSE_PROTOCOL = /^(tcp|udp|sctp)$/;
const ADDRESS_IN_PUBLISHED = /^(\[[^\]]*\]|\d+\.\d+\.\d+\.\d+)(?::(.*))?$/;

/** Short syntax: [[IP:](HOST|HOST-RANGE|):]CONTAINER[-RANGE][/PROTOCOL]. */
function shortPort(ctx: Ctx, s: Scalar): ListenerSpec | undefined {
  const { file } = ctx;
  const raw = String(s.value);
  const iv = interpolate(raw, ctx.env);
  const t = iv.text;
  const range = file.rangeOf(s);
  let body = t;
  let protocol = 'tcp';
  const slash = t.lastIndexOf('/');
  if (slash >= 0) {
    protocol = t.slice(slash + 1).toLowerCase();
    body = t.slice(0, slash);
    if (!COMPOSE_PROTOCOL.test(protocol)) return refuse(ctx, iv, range, raw, `names protocol \`${protocol}\`; compose knows tcp, udp and sctp`);
  }
  const lastColon = body.lastIndexOf(':');
  const containerAt = lastColon + 1;
  const container = body.slice(containerAt);
  let hostAt = 0;
  let host = '';
  let ip: string | undefined;
  const ipAt = 0;
  if (lastColon >= 0) {
    const rest = body.slice(0, lastColon);
    const c2 = rest.lastIndexOf(':');
    const closeBracket = rest.lastIndexOf(']');
    if (c2 >= 0 && c2 > closeBracket) {
      ip = rest.slice(0, c2);
      hostAt = c2 + 1;
      host = rest.slice(c2 + 1);
    } else if (closeBracket >= 0) {
      ip = rest;
    } else {
      host = rest;
      hostAt = 0;
    }
  }
  const cr = parsePortRange(container);
  if (!cr) return refuse(ctx, iv, range, raw, `has no container port (expected e.g. "8080:80", "127.0.0.1:5432:5432" or "53:53/udp")`);
  const bind = binding(ctx, ip, ip !== undefined ? partRange(file, s, iv, ipAt, ip.length) : undefined, iv.unresolved);
  if (typeof bind === 'string') return refuse(ctx, iv, range, raw, `has a ${bind}`);
  const targetText = `${container}/${protocol}`;
  let item: PortItem | undefined;
  if (host === '' && lastColon >= 0 && ip === undefined && iv.unresolved.length) {
    // The host port is a variable with no value here: any port, approximately.
    item = portItem(ctx, s, iv, 0, lastColon, 1, 65535, raw.slice(0, Math.max(0, sourceOffset(iv, lastColon) ?? 0)) || raw);
    if (!item) return undefined;
    return {
      range,
      protocol,
      items: [item],
      listener: { ...listenerOf(bind, 'published port (host port unknown)', targetText), anyHostPort: true },
      unknown: bind.unknown,
    };
  }
  if (host === '') {
    // No host port: Docker picks a free one from the ephemeral range when the container starts.
    item = portItem(ctx, s, iv, containerAt, container.length, EPHEMERAL[0], EPHEMERAL[1], container);
    if (!item) return undefined;
    return anyHostPort(range, protocol, item, bind, targetText);
  }
  const hr = parsePortRange(host);
  if (!hr) return refuse(ctx, iv, range, raw, `has host port \`${host}\`, which is not a port or range`);
  item = portItem(ctx, s, iv, hostAt, host.length, hr.lo, hr.hi);
  if (!item || !portsValid(ctx, s, iv, containerAt, container.length, cr.lo, cr.hi)) return undefined;
  return publishedPort(range, protocol, item, bind, targetText);
}

/** Reports a short-syntax entry Docker Compose would refuse (not one whose value is unknown because of a variable). */
function refuse(ctx: Ctx, iv: Interpolated, range: Range, raw: string, why: string): undefined {
  if (!iv.unresolved.length) ctx.problems.push({ code: 'PC001', severity: 'error', range, message: `ports: \`${raw}\` ${why}.` });
  return undefined;
}

/** A host port the file names (short or long syntax). */
function publishedPort(range: Range, protocol: string, item: PortItem, bind: Binding, target: string): ListenerSpec {
  return { range, protocol, items: [item], listener: listenerOf(bind, 'published port', target), unknown: bind.unknown };
}

/** A container port published on a host port Docker picks when the container starts (short and long syntax). */
function anyHostPort(range: Range, protocol: string, item: PortItem, bind: Binding, target: string): ListenerSpec {
  const listener = listenerOf(bind, 'published port (host port chosen by Docker)', target);
  listener.anyHostPort = true;
  return { range, protocol, items: [item], listener, unknown: bind.unknown };
}

/** A published listener with the binding's address, if any (built by assignment: spreads are slow per port entry). */
function listenerOf(b: Binding, via: string, target: string): Listener {
  const l = {} as Listener;
  if (b.bound) l.bound = b.bound;
  if (b.boundRange) l.boundRange = b.boundRange;
  l.published = true;
  l.via = via;
  l.target = target;
  return l;
}

/** Long syntax: target, published (port, range, or ip:port), host_ip, protocol, mode. */
function longPort(ctx: Ctx, m: Node): ListenerSpec | undefined {
  const { file } = ctx;
  const range = file.rangeOf(m);
  const field = (k: string): { s?: Scalar; iv?: Interpolated } => {
    const s = scalar(file, get(file, m, k));
    return s && s.value !== null ? { s, iv: interpolate(String(s.value), ctx.env) } : {};
  };
  const target = field('target');
  const published = field('published');
  const hostIp = field('host_ip');
  const protocol = (field('protocol').iv?.text ?? 'tcp').toLowerCase();
  const unresolved = [target, published, hostIp].flatMap((f) => f.iv?.unresolved ?? []);
  const fail = (why: string, at = range): undefined => {
    if (!unresolved.length) ctx.problems.push({ code: 'PC001', severity: 'error', range: at, message: `ports: ${why}.` });
    return undefined;
  };
  if (!target.s) return fail('the long syntax needs `target` (the container port)');
  const tr = parsePortRange(target.iv!.text);
  if (!tr) return fail(`target \`${target.iv!.text}\` is not a port`, file.rangeOf(target.s));
  let ipText = hostIp.iv?.text;
  let ipRange = hostIp.s ? file.rangeOf(hostIp.s) : undefined;
  let pubText = published.iv?.text ?? '';
  let pubAt = 0;
  // Not in the compose spec, but written in the wild: published: "127.0.0.1:8080" or just an address.
  const ipInPub = ADDRESS_IN_PUBLISHED.exec(pubText);
  if (ipInPub && published.s) {
    ipText = ipInPub[1];
    ipRange = partRange(file, published.s, published.iv!, 0, ipInPub[1].length);
    pubAt = ipInPub[2] === undefined ? pubText.length : ipInPub[1].length + 1;
    pubText = ipInPub[2] ?? '';
  }
  const bind = binding(ctx, ipText, ipRange, unresolved);
  if (typeof bind === 'string') return fail(bind, ipRange);
  const targetText = `${target.iv!.text}/${protocol}`;
  if (!pubText) {
    const item = portItem(ctx, target.s, target.iv!, 0, target.iv!.text.length, EPHEMERAL[0], EPHEMERAL[1], target.iv!.text);
    if (!item) return undefined;
    return anyHostPort(range, protocol, item, bind, targetText);
  }
  const pr = parsePortRange(pubText);
  if (!pr) return fail(`published \`${pubText}\` is not a port or range`, published.s ? file.rangeOf(published.s) : range);
  const item = portItem(ctx, published.s!, published.iv!, pubAt, pubText.length, pr.lo, pr.hi);
  if (!item) return undefined;
  return publishedPort(range, protocol, item, bind, targetText);
}
