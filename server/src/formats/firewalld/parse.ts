/**
 * firewalld XML: zones (`/etc/firewalld/zones/*.xml`), services, and the other kinds (policies, icmptypes,
 * helpers, ipsets) which are checked for well-formedness only.
 *
 * A zone becomes one table `firewalld` with one chain named after the zone, hooked to input, whose policy comes
 * from the zone's target (`default`, `%%REJECT%%`, `REJECT`, `DROP` → drop; `ACCEPT` → accept). Rules follow
 * firewalld's own order: rich rules that drop or reject, then what the zone allows (rich rules that accept,
 * services, ports, protocols, forward-ports), then the target. `<source>` entries restrict the zone to those
 * sources: a leading rule drops every other source (this zone never sees it). `<interface>` bindings are not
 * modelled (the zone is analysed as if it applied to every interface).
 *
 * `<service name="ssh"/>` resolves through service definitions next to the zones folder (`../services/*.xml`),
 * then through firewalld's standard services (standard-services.json); the port items point at the name, so the
 * port hover explains the service's ports.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { AddressSet, type Family } from '../../model/addresses';
import { CODES, type Code } from '../../model/codes';
import type { Finding } from '../../model/finding';
import { PortSet } from '../../model/ports';
import type { Range } from '../../model/range';
import type { Action, Chain, Condition, PortItem, Rule, Ruleset } from '../../model/ruleset';
import type { ParseContext } from '../format';
import { standardService, type ServiceDef } from './services';
import { attr, parseXml, type XmlElement } from './xml';
import { readRegularFile } from '../../io/read-file';

interface LocalServices {
  defs: Map<string, ServiceDef>;
  /** Service files that exist but could not be read (a FIFO, too large …), by service name, with the reason. */
  unreadable: Map<string, string>;
}

const localCache = new Map<string, LocalServices>();

/** Service definitions in `<dir>/../services/*.xml` next to a zones folder (read once per folder). */
function localServices(path: string | undefined): LocalServices {
  if (!path) return { defs: new Map(), unreadable: new Map() };
  const file = path.startsWith('file://') ? decodeURIComponent(path.slice(7)) : path;
  const dir = nodePath.resolve(nodePath.dirname(file), '..', 'services');
  const cached = localCache.get(dir);
  if (cached) return cached;
  const m = new Map<string, ServiceDef>();
  const unreadable = new Map<string, string>();
  try {
    for (const f of fs.readdirSync(dir)) {
      if (!f.endsWith('.xml')) continue;
      // Never a blocking open: a FIFO or device named *.xml in services/ is reported, not read.
      const read = readRegularFile(nodePath.join(dir, f));
      if (!read.ok) {
        unreadable.set(f.slice(0, -4), read.reason);
        continue;
      }
      const { root } = parseXml(read.text);
      if (root?.name !== 'service') continue;
      const dest = root.children.find((c) => c.name === 'destination');
      const ipv4 = dest && attr(dest, 'ipv4')?.value;
      const ipv6 = dest && attr(dest, 'ipv6')?.value;
      m.set(f.slice(0, -4), {
        ports: root.children.filter((c) => c.name === 'port').map((c) => `${attr(c, 'port')?.value}/${attr(c, 'protocol')?.value}`),
        protocols: root.children.filter((c) => c.name === 'protocol').map((c) => attr(c, 'value')?.value ?? ''),
        includes: root.children.filter((c) => c.name === 'include').map((c) => attr(c, 'service')?.value ?? ''),
        ...(dest ? { destination: { ...(ipv4 ? { ipv4 } : {}), ...(ipv6 ? { ipv6 } : {}) } } : {}),
      });
    }
  } catch {
    // no services folder next to this file
  }
  const result = { defs: m, unreadable };
  localCache.set(dir, result);
  return result;
}

const TARGETS: Record<string, 'accept' | 'drop'> = {
  default: 'drop',
  '%%REJECT%%': 'drop',
  REJECT: 'drop',
  DROP: 'drop',
  ACCEPT: 'accept',
};
const KNOWN_ROOTS = new Set(['zone', 'service', 'policy', 'icmptype', 'helper', 'ipset', 'direct', 'lockdown-whitelist']);

export function parseFirewalld(text: string, ctx: ParseContext): Ruleset {
  const problems: Finding[] = [];
  const report = (code: Code, range: Range, message: string) => problems.push({ code, severity: CODES[code].severity, message, range });
  const { root, problems: xmlProblems } = parseXml(text);
  for (const p of xmlProblems) report('PC001', p.range, `malformed XML: ${p.message}`);
  const rs: Ruleset = { format: 'firewalld', family: 'both', tables: [], problems };
  if (!root) {
    if (!xmlProblems.length)
      report(
        'PC001',
        { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        'no XML element found: expected <zone>, <service>, <policy> …',
      );
    return rs;
  }
  if (!KNOWN_ROOTS.has(root.name)) {
    report(
      'PC001',
      root.range,
      `unknown firewalld element <${root.name}>: expected <zone>, <service>, <policy>, <icmptype>, <helper> or <ipset>`,
    );
    return rs;
  }
  if (root.name === 'service') {
    for (const p of root.children.filter((c) => c.name === 'port' || c.name === 'source-port')) portSpec(p, report);
    return rs;
  }
  if (root.name !== 'zone') return rs;

  let ruleId = 0;
  const zoneName = ctx.path ? nodePath.basename(ctx.path.replace(/^file:\/\//, '')).replace(/\.xml$/i, '') : 'zone';
  const targetAttr = attr(root, 'target');
  const target = targetAttr?.value ?? 'default';
  const policy = TARGETS[target];
  if (!policy)
    report('PC001', targetAttr!.valueRange, `unknown zone target \`${target}\`: expected default, ACCEPT, REJECT, %%REJECT%% or DROP`);
  const chain: Chain = {
    name: zoneName,
    table: 'firewalld',
    family: 'both',
    hook: 'input',
    type: 'filter',
    policy: policy ?? 'drop',
    ...(targetAttr ? { policyRange: targetAttr.valueRange } : {}),
    range: root.range,
    declared: true,
    rules: [],
    label: `zone ${zoneName}`,
  };
  const mkRule = (range: Range, conditions: Condition[], action: Action, family: Family | 'both' = 'both', comment?: string): Rule => ({
    id: ruleId++,
    range,
    table: 'firewalld',
    chain: zoneName,
    family,
    conditions,
    action,
    ...(comment ? { comment } : {}),
  });

  const locals = localServices(ctx.path);
  const deny: Rule[] = [];
  const allow: Rule[] = [];

  // Sources restrict the zone.
  const sources = root.children.filter((c) => c.name === 'source');
  let zoneSources = AddressSet.NONE;
  let sourceExact = true;
  for (const s of sources) {
    const a = attr(s, 'address');
    if (!a) {
      sourceExact = false; // ipset= or mac=
      continue;
    }
    const set = AddressSet.parse(a.value);
    if (!set)
      report('PC007', a.valueRange, `malformed source address \`${a.value}\`: expected an address or a network such as 192.0.2.0/24`);
    else zoneSources = zoneSources.union(set);
  }
  const leading: Rule[] = [];
  if (sources.length && sourceExact && !zoneSources.isEmpty()) {
    const rg = { start: sources[0].range.start, end: sources[sources.length - 1].range.end };
    leading.push(
      mkRule(
        rg,
        [{ kind: 'source', set: zoneSources, negated: true, range: rg }],
        { kind: 'drop', range: rg },
        'both',
        'sources outside this zone',
      ),
    );
  }

  const serviceRules = (el: XmlElement, extra: Condition[], action: Action, family: Family | 'both'): Rule[] => {
    const nameAttr = attr(el, 'name');
    if (!nameAttr) {
      report('PC001', el.range, '<service> needs a name="…" attribute');
      return [];
    }
    const lookup = (name: string) => locals.defs.get(name) ?? standardService(name);
    const top = lookup(nameAttr.value);
    const unreadable = locals.unreadable.get(nameAttr.value);
    if (!top && unreadable) {
      report(
        'PC011',
        nameAttr.valueRange,
        `firewalld service \`${nameAttr.value}\`: services/${nameAttr.value}.xml cannot be read (${unreadable})`,
      );
      return [];
    }
    if (!top) {
      report(
        'PC011',
        nameAttr.valueRange,
        `unknown firewalld service \`${nameAttr.value}\`: no services/${nameAttr.value}.xml next to this zone and not a standard firewalld service, so firewalld refuses to load the zone`,
      );
      return [];
    }
    // The service and everything it includes, each part with its own destination.
    const parts: ServiceDef[] = [];
    const seen = new Set<string>();
    const collect = (name: string): void => {
      const d = lookup(name);
      if (!d || seen.has(name)) return;
      seen.add(name);
      parts.push(d);
      for (const inc of d.includes ?? []) collect(inc);
    };
    collect(nameAttr.value);
    // Parts with the same destination (usually none) become one set of rules, as one service with all the ports.
    const merged = new Map<string, ServiceDef>();
    for (const d of parts) {
      const key = JSON.stringify(d.destination ?? null);
      const m = merged.get(key);
      if (m) merged.set(key, { ...m, ports: [...m.ports, ...d.ports], protocols: [...m.protocols, ...d.protocols] });
      else merged.set(key, d);
    }
    return [...merged.values()].flatMap((d) =>
      destinationFamilies(d, family, nameAttr.valueRange).flatMap(([fam, dest]) =>
        serviceRulesOf(el, nameAttr, d, dest ? [...extra, dest] : extra, action, fam),
      ),
    );
  };

  /** A service limited to destinations applies only to the families it names a destination for (firewalld). */
  const destinationFamilies = (d: ServiceDef, family: Family | 'both', range: Range): [Family | 'both', Condition | undefined][] => {
    if (!d.destination) return [[family, undefined]];
    const out: [Family | 'both', Condition | undefined][] = [];
    for (const fam of ['ipv4', 'ipv6'] as const) {
      const text = d.destination[fam];
      const set = text ? AddressSet.parse(text) : undefined;
      if (!set || (family !== 'both' && family !== fam)) continue;
      out.push([fam, { kind: 'destination', set, negated: false, range }]);
    }
    return out;
  };

  const serviceRulesOf = (
    el: XmlElement,
    nameAttr: NonNullable<ReturnType<typeof attr>>,
    def0: ServiceDef,
    extra: Condition[],
    action: Action,
    family: Family | 'both',
  ): Rule[] => {
    let def = def0;
    const byProto = new Map<string, PortItem[]>();
    for (const p of def.ports) {
      const [port, proto] = p.split('/');
      if (!port) {
        def = { ...def!, protocols: [...def!.protocols, proto] };
        continue;
      }
      const [a, b] = port.split('-').map(Number);
      const list = byProto.get(proto) ?? [];
      list.push({ text: nameAttr.value, range: nameAttr.valueRange, lo: a, hi: b ?? a, service: nameAttr.value });
      byProto.set(proto, list);
    }
    const out: Rule[] = [];
    for (const [proto, items] of byProto) {
      out.push(
        mkRule(
          el.fullRange,
          [
            ...extra,
            { kind: 'protocol', protocols: [proto], negated: false, range: nameAttr.valueRange },
            { kind: 'dport', set: PortSet.fromRanges(items.map((i) => [i.lo, i.hi])), negated: false, range: nameAttr.valueRange, items },
          ],
          action,
          family,
          `service ${nameAttr.value}`,
        ),
      );
    }
    for (const proto of def.protocols)
      out.push(
        mkRule(
          el.fullRange,
          [...extra, { kind: 'protocol', protocols: [proto], negated: false, range: nameAttr.valueRange }],
          action,
          family,
          `service ${nameAttr.value}`,
        ),
      );
    return out;
  };

  const portRule = (el: XmlElement, extra: Condition[], action: Action, family: Family | 'both'): Rule[] => {
    const spec = portSpec(el, report);
    if (!spec) return [];
    return [mkRule(el.fullRange, [...extra, ...portConditions(spec)], action, family)];
  };

  for (const el of root.children) {
    const accept: Action = { kind: 'accept', range: el.range };
    switch (el.name) {
      case 'service':
        allow.push(...serviceRules(el, [], accept, 'both'));
        break;
      case 'port':
        allow.push(...portRule(el, [], accept, 'both'));
        break;
      case 'protocol': {
        const v = attr(el, 'value');
        if (v) allow.push(mkRule(el.fullRange, [{ kind: 'protocol', protocols: [v.value], negated: false, range: v.valueRange }], accept));
        break;
      }
      case 'forward-port': {
        // Forwarded to another port or host: the port is reachable (decided by NAT, marked approximate).
        const spec = portSpec(el, report);
        if (spec) allow.push(mkRule(el.fullRange, portConditions(spec), { kind: 'other', target: 'forward-port', range: el.range }));
        break;
      }
      case 'rule': {
        const rr = richRule(el);
        if (!rr) break;
        (rr.action.kind === 'accept' || rr.action.kind === 'other' ? allow : deny).push(...rr.rules);
        break;
      }
      default:
        break;
    }
  }

  function richRule(el: XmlElement): { action: Action; rules: Rule[] } | undefined {
    const famAttr = attr(el, 'family');
    const family: Family | 'both' = famAttr?.value === 'ipv4' ? 'ipv4' : famAttr?.value === 'ipv6' ? 'ipv6' : 'both';
    if (famAttr && family === 'both')
      report('PC001', famAttr.valueRange, `rich rule family must be ipv4 or ipv6, not \`${famAttr.value}\``);
    const conds: Condition[] = [];
    let action: Action | undefined;
    let hasAddress = false;
    const matchEls: XmlElement[] = [];
    for (const c of el.children) {
      switch (c.name) {
        case 'source':
        case 'destination': {
          const a = attr(c, 'address');
          const invert = attr(c, 'invert')?.value === 'true' || attr(c, 'invert')?.value === 'yes';
          if (!a) {
            conds.push({ kind: 'opaque', text: `${c.name} ${c.attrs.map((x) => `${x.name}=${x.value}`).join(' ')}`, range: c.range });
            break;
          }
          const set = AddressSet.parse(a.value);
          if (!set) {
            report('PC007', a.valueRange, `malformed address \`${a.value}\``);
            break;
          }
          hasAddress = true;
          if (family === 'both') report('PC001', a.valueRange, 'a rich rule with an address needs family="ipv4" or family="ipv6"');
          conds.push({ kind: c.name === 'source' ? 'source' : 'destination', set, negated: invert, range: a.valueRange });
          break;
        }
        case 'service':
        case 'port':
        case 'protocol':
        case 'forward-port':
        case 'icmp-block':
        case 'icmp-type':
        case 'source-port':
        case 'masquerade':
          matchEls.push(c);
          break;
        case 'accept':
          action = { kind: 'accept', range: c.range };
          break;
        case 'reject':
          action = { kind: 'reject', range: c.range };
          break;
        case 'drop':
          action = { kind: 'drop', range: c.range };
          break;
        case 'mark':
          action = { kind: 'continue', target: 'mark', range: c.range };
          break;
        case 'limit':
          conds.push({ kind: 'opaque', text: `limit ${attr(c, 'value')?.value ?? ''}`, range: c.range });
          break;
        default:
          break;
      }
    }
    void hasAddress;
    if (family !== 'both' && !conds.some((c) => c.kind === 'source' && !c.negated))
      conds.push({ kind: 'source', set: AddressSet.any(family), negated: false, range: famAttr!.valueRange });
    if (!action) {
      // log/audit only rich rules decide nothing
      return undefined;
    }
    const rules: Rule[] = [];
    if (!matchEls.length) rules.push(mkRule(el.fullRange, conds, action, family));
    for (const m of matchEls) {
      if (m.name === 'service') rules.push(...serviceRules(m, conds, action, family).map((r) => ({ ...r, range: el.fullRange })));
      else if (m.name === 'port') rules.push(...portRule(m, conds, action, family).map((r) => ({ ...r, range: el.fullRange })));
      else if (m.name === 'protocol') {
        const v = attr(m, 'value');
        if (v)
          rules.push(
            mkRule(
              el.fullRange,
              [...conds, { kind: 'protocol', protocols: [v.value], negated: false, range: v.valueRange }],
              action,
              family,
            ),
          );
      } else if (m.name === 'forward-port') {
        const spec = portSpec(m, report);
        if (spec) rules.push(mkRule(el.fullRange, [...conds, ...portConditions(spec)], { kind: 'other', target: 'forward-port', range: m.range }, family));
      } else if (m.name === 'source-port') {
        const spec = portSpec(m, report);
        if (spec) rules.push(mkRule(el.fullRange, [...conds, ...portConditions(spec, 'sport')], action, family));
      } else
        rules.push(
          mkRule(
            el.fullRange,
            [
              ...conds,
              {
                kind: 'protocol',
                protocols: [m.name.startsWith('icmp') ? (family === 'ipv6' ? 'icmpv6' : 'icmp') : 'all'],
                negated: false,
                range: m.range,
              },
            ],
            action,
            family,
          ),
        );
    }
    return { action, rules };
  }

  chain.rules = [...leading, ...deny, ...allow];
  rs.tables.push({ name: 'firewalld', family: 'both', range: root.range, chains: [chain] });
  return rs;
}

/** The protocol and port conditions a `<port>`-like element stands for (`dport`, or `sport` for `<source-port>`). */
function portConditions(spec: NonNullable<ReturnType<typeof portSpec>>, kind: 'dport' | 'sport' = 'dport'): Condition[] {
  return [
    { kind: 'protocol', protocols: [spec.protocol], negated: false, range: spec.protoRange },
    { kind, set: spec.set, negated: false, range: spec.item.range, items: [spec.item] },
  ];
}

/** `<port port="1000-2000" protocol="tcp"/>`: validated; the item points at the port value. */
function portSpec(
  el: XmlElement,
  report: (code: Code, range: Range, message: string) => void,
): { set: PortSet; item: PortItem; protocol: string; protoRange: Range } | undefined {
  const p = attr(el, 'port');
  const proto = attr(el, 'protocol');
  if (!p || !proto) {
    report('PC001', el.range, `<${el.name}> needs port="…" and protocol="…"`);
    return undefined;
  }
  if (p.value.trim() === '') return undefined; // protocol-only entry such as <port protocol="ah" port=""/>
  if (!/^(tcp|udp|sctp|dccp)$/.test(proto.value))
    report('PC001', proto.valueRange, `port protocol must be tcp, udp, sctp or dccp, not \`${proto.value}\``);
  const m = /^(\d+)(?:-(\d+))?$/.exec(p.value.trim());
  if (!m) {
    report('PC001', p.valueRange, `invalid port \`${p.value}\`: expected a number or a range such as 1000-2000`);
    return undefined;
  }
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo > 65535 || hi > 65535) {
    report('PC002', p.valueRange, `port \`${p.value}\` is out of range: ports are 0–65535`);
    return undefined;
  }
  if (lo > hi) report('PC003', p.valueRange, `port range \`${p.value}\` is reversed (${lo} > ${hi}): firewalld rejects it`);
  return {
    set: lo <= hi ? PortSet.range(lo, hi) : PortSet.NONE,
    item: { text: p.value, range: p.valueRange, lo, hi },
    protocol: proto.value,
    protoRange: proto.valueRange,
  };
}
