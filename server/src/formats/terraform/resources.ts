/**
 * Terraform resources that open or close inbound ports, read into cloud rules (formats/cloud/ruleset.ts):
 * AWS security groups (inline `ingress`, `aws_security_group_rule`, `aws_vpc_security_group_ingress_rule`),
 * AWS network ACLs (inline and `aws_network_acl_rule`), Azure NSGs (inline `security_rule` and
 * `azurerm_network_security_rule`) and GCP `google_compute_firewall`. `count`, `for_each` and `dynamic` blocks
 * are expanded when their collection is literal in the module; otherwise one instance stands for all, with its
 * unknown values saying so.
 */
import { AddressSet } from '../../model/addresses';
import type { PortItem } from '../../model/ruleset';
import type { Range } from '../../model/range';
import { azurePrefix } from '../cloud/fields';
import type { PriorityClashes } from '../cloud/priorities';
import {
  hasPorts,
  portItem,
  protocolOf,
  type CloudGroup,
  type CloudRule,
  type Ordering,
  type Unknown as UnknownPart,
} from '../cloud/ruleset';
import { attrOf, blocksOf, exprText, type Attribute, type Block, type Body, type Expr, type Span } from './hcl';
import { evaluate, findUnknown, truthy, Unknown, type Value } from './evaluate';
import * as nodePath from 'node:path';
import { ModuleValues, moduleFiles, type ModuleFile } from './module';

const MAX_INSTANCES = 1000;

export interface Sink {
  text: string;
  range(span: Span): Range;
  problem(code: 'PC001' | 'PC002' | 'PC003' | 'PC007' | 'PC014', span: Span, message: string): void;
  clashes: PriorityClashes;
}

/** What the readers of one root module and of the modules it calls build together. */
interface Shared {
  groups: CloudGroup[];
  rules: Map<CloudGroup, CloudRule[]>;
  byAddress: Map<string, CloudGroup>;
  /** Azure NSGs by their `name` argument, for rules that attach by name. */
  byName: Map<string, CloudGroup>;
}

/** Where a reader is: the module address prefix (`module.web.`) and the module folders above it (cycles). */
interface Place {
  prefix: string;
  folders: string[];
}

/** Module calls nested deeper than this are not followed (reported as not analysed). */
const MAX_MODULE_DEPTH = 8;
/** Instances of one module call (`count`, `for_each`) read, each a full read of the module. */
const MAX_MODULE_INSTANCES = 64;
/** A call's arguments that are Terraform's own, not the module's input variables. */
const MODULE_META = new Set(['source', 'version', 'count', 'for_each', 'providers', 'depends_on']);

/** One instance of a resource (or of a dynamic block): its body and the names bound while reading it. */
interface Instance {
  address: string;
  body: Body;
  bindings: Map<string, Value>;
  block: Block;
  /** Set when the instance count or keys are unknown: every rule of it is approximate. */
  unknown?: UnknownPart;
}

const GROUP_TYPES: Record<string, Ordering> = {
  aws_security_group: 'union',
  aws_network_acl: 'ordered',
  azurerm_network_security_group: 'ordered',
};

export class TerraformReader {
  private readonly shared: Shared;
  private readonly byAddress: Map<string, CloudGroup>;
  private readonly byName: Map<string, CloudGroup>;

  constructor(
    private readonly sink: Sink,
    private readonly mod: ModuleValues,
    private readonly place: Place = { prefix: '', folders: [] },
    shared?: Shared,
  ) {
    this.shared = shared ?? { groups: [], rules: new Map(), byAddress: new Map(), byName: new Map() };
    this.byAddress = this.shared.byAddress;
    this.byName = this.shared.byName;
  }

  get groups(): CloudGroup[] {
    return this.shared.groups;
  }
  get rules(): Map<CloudGroup, CloudRule[]> {
    return this.shared.rules;
  }

  read(body: Body): void {
    const list = this.declare(body);
    this.readRules(list);
    this.moduleCalls(body);
  }

  /** Instances of every resource, and the groups they declare (first, so rules in any file find them). */
  private declare(body: Body): { type: string; list: Instance[] }[] {
    const resources = blocksOf(body, 'resource').filter((b) => b.labels.length >= 2);
    const instances = resources.map((b) => ({ type: b.labels[0].value, list: this.instances(b) }));
    for (const { type, list } of instances) {
      const ordering = GROUP_TYPES[type];
      if (!ordering) continue;
      for (const inst of list) {
        const g = this.group(type, inst.address, this.sink.range(inst.block.typeSpan), ordering, type === 'azurerm_network_security_group');
        const name = this.value(inst, 'name');
        if (typeof name === 'string') this.byName.set(name, g);
      }
    }
    return instances;
  }

  private readRules(instances: { type: string; list: Instance[] }[]): void {
    for (const { type, list } of instances) {
      for (const inst of list) {
        switch (type) {
          case 'aws_security_group':
            for (const d of this.nested(inst, 'ingress')) this.awsRule(this.byAddress.get(inst.address)!, d, 'union');
            break;
          case 'aws_security_group_rule':
            if (String(this.value(inst, 'type')).toLowerCase() === 'ingress')
              this.awsRule(this.attached(inst, 'security_group_id', 'aws_security_group'), inst, 'union');
            break;
          case 'aws_vpc_security_group_ingress_rule':
            this.awsRule(this.attached(inst, 'security_group_id', 'aws_security_group'), inst, 'union');
            break;
          case 'aws_network_acl':
            for (const d of this.nested(inst, 'ingress')) this.awsRule(this.byAddress.get(inst.address)!, d, 'nacl');
            break;
          case 'aws_network_acl_rule':
            if (!truthy(this.value(inst, 'egress') ?? false))
              this.awsRule(this.attached(inst, 'network_acl_id', 'aws_network_acl'), inst, 'nacl');
            break;
          case 'azurerm_network_security_group':
            for (const d of this.nested(inst, 'security_rule')) this.azureRule(this.byAddress.get(inst.address)!, d, true);
            break;
          case 'azurerm_network_security_rule':
            this.azureRule(this.attached(inst, 'network_security_group_name', 'azurerm_network_security_group'), inst, false);
            break;
          case 'google_compute_firewall':
            this.gcpRules(inst);
            break;
          default:
            break;
        }
      }
    }
  }

  /**
   * `module "x" { source = "./modules/sg" … }`: a local module's resources are read with the call's literal
   * arguments as its inputs (defaults otherwise), under the address `module.x.`. A finding about a value the call
   * passes lands on that argument; anything else the module decides lands on the call's `source`, since the
   * module's own file is not this document. Other sources (registry, git) are said once to be not analysed.
   */
  private moduleCalls(body: Body): void {
    for (const call of blocksOf(body, 'module')) {
      const name = call.labels[0]?.value;
      if (!name) continue;
      const src = attrOf(call.body, 'source');
      const at: Span = src?.expr ?? call.typeSpan;
      const source = src?.expr.k === 'lit' ? src.expr.value : undefined;
      const skip = (why: string) => this.sink.problem('PC014', at, `module ${name} is not analysed: ${why}`);
      if (typeof source !== 'string') {
        skip('its source is not a literal string');
        continue;
      }
      if (!/^\.\.?(\/|$)/.test(source)) {
        skip(`${source} is not a local folder (./ or ../); its rules are not in the workspace`);
        continue;
      }
      if (!this.mod.dir) {
        skip('this file is not saved in a folder, so a relative source cannot be found');
        continue;
      }
      const dir = nodePath.resolve(this.mod.dir, source);
      // The calling module's own folder counts: `source = "./"` would read this file again.
      const calling = [this.mod.dir, ...this.place.folders];
      if (calling.includes(dir) || this.place.folders.length >= MAX_MODULE_DEPTH) {
        skip(calling.includes(dir) ? `${source} calls itself` : `modules are nested more than ${MAX_MODULE_DEPTH} deep`);
        continue;
      }
      const files = moduleFiles(dir);
      if (!files.length) {
        skip(`no readable .tf files in ${source}`);
        continue;
      }
      const instances = this.instances(call, `${this.place.prefix}module.${name}`);
      if (instances.length > MAX_MODULE_INSTANCES)
        this.sink.problem('PC014', at, `module ${name}: only the first ${MAX_MODULE_INSTANCES} of its ${instances.length} instances are analysed`);
      for (const inst of instances.slice(0, MAX_MODULE_INSTANCES)) {
        const inputs = new Map<string, Value>();
        const args = new Map<string, Span>();
        for (const it of call.body.items)
          if (it.type === 'attribute' && !MODULE_META.has(it.name)) {
            inputs.set(it.name, evaluate(it.expr, this.scope(inst)));
            args.set(it.name, it.expr);
          }
        const values = ModuleValues.forCall(dir, files, inputs);
        const place = { prefix: `${inst.address}.`, folders: [...this.place.folders, dir] };
        const readers = files.map((f) => ({ f, r: new TerraformReader(this.moduleSink(f, args, at, name), values, place, this.shared) }));
        const declared = readers.map(({ f, r }) => r.declare(f.body));
        readers.forEach(({ r }, i) => r.readRules(declared[i]));
        readers.forEach(({ f, r }) => r.moduleCalls(f.body));
      }
    }
  }

  /** Ranges in a module file, mapped into this document: onto the argument a value came from, else the source. */
  private moduleSink(f: ModuleFile, args: Map<string, Span>, source: Span, name: string): Sink {
    const where = (span: Span): Span => {
      const text = f.text.slice(span.start, span.end);
      // A whole block (a rule, a resource) is the module's: only a value's expression maps onto an argument.
      if (text.includes('{')) return source;
      for (const m of text.matchAll(/\bvar\.([A-Za-z_][A-Za-z0-9_-]*)/g)) {
        const arg = args.get(m[1]);
        if (arg) return arg;
      }
      return source;
    };
    const file = nodePath.basename(f.file);
    return {
      text: f.text,
      range: (span) => this.sink.range(where(span)),
      problem: (code, span, message) => {
        const line = f.text.slice(0, span.start).split('\n').length;
        this.sink.problem(code, where(span), `${message} (module ${name}, ${file} line ${line})`);
      },
      clashes: this.sink.clashes,
    };
  }

  private group(type: string, address: string, range: Range, ordering: Ordering, azureDefaults = false): CloudGroup {
    let g = this.byAddress.get(address);
    if (!g) {
      g = { type, address, range, ordering, ...(azureDefaults ? { azureDefaults } : {}) };
      this.byAddress.set(address, g);
      this.groups.push(g);
      this.rules.set(g, []);
    }
    return g;
  }

  /** The group a standalone rule names: a reference `type.name.id`, a literal id/name, or the expression text. */
  private attached(inst: Instance, attr: string, type: string): CloudGroup {
    const a = attrOf(inst.body, attr);
    const ordering = GROUP_TYPES[type];
    const azure = type === 'azurerm_network_security_group';
    if (!a) return unresolved(this.group(type, `${inst.address} (no ${attr})`, this.sink.range(inst.block.typeSpan), ordering, azure));
    // "${aws_security_group.web.id}" (JSON syntax, old HCL) is the reference itself.
    const e = a.expr.k === 'tmpl' && a.expr.parts.length === 1 && typeof a.expr.parts[0] !== 'string' ? a.expr.parts[0] : a.expr;
    if (e.k === 'ref' && e.root === type && typeof e.path[0] === 'string') {
      const idx = e.path[1];
      const at = idx !== undefined && typeof idx !== 'string' ? evaluate(idx, this.scope(inst)) : undefined;
      const addr = `${this.place.prefix}${type}.${e.path[0]}${at !== undefined && !(at instanceof Unknown) ? `[${JSON.stringify(at)}]` : ''}`;
      return (
        this.byAddress.get(addr) ??
        this.byAddress.get(`${this.place.prefix}${type}.${e.path[0]}`) ??
        this.group(type, addr, this.sink.range(a.expr), ordering, azure)
      );
    }
    const v = evaluate(e, this.scope(inst));
    if (typeof v === 'string' && v) return this.byName.get(v) ?? this.group(type, v, this.sink.range(a.expr), ordering, azure);
    return unresolved(this.group(type, exprText(this.sink.text, e), this.sink.range(a.expr), ordering, azure));
  }

  private scope(inst: Instance) {
    return this.mod.scope(this.sink.text, inst.bindings);
  }

  private value(inst: Instance, name: string): Value | undefined {
    const a = attrOf(inst.body, name);
    return a ? evaluate(a.expr, this.scope(inst)) : undefined;
  }

  /** `count` and `for_each` expansion of a resource. */
  private instances(b: Block, base = `${this.place.prefix}${b.labels[0].value}.${b.labels[1].value}`): Instance[] {
    const one = (extra: Map<string, Value>, address: string, unknown?: UnknownPart): Instance => ({
      address,
      body: b.body,
      bindings: extra,
      block: b,
      ...(unknown ? { unknown } : {}),
    });
    const count = attrOf(b.body, 'count');
    const forEach = attrOf(b.body, 'for_each');
    if (count) {
      const n = evaluate(count.expr, this.mod.scope(this.sink.text));
      if (typeof n !== 'number')
        return [
          one(
            new Map([['count', { index: new Unknown(`count.index (count ${describe(n)})`) }]]),
            base,
            this.unknownPart('count', count, n),
          ),
        ];
      return Array.from({ length: Math.min(MAX_INSTANCES, Math.max(0, n)) }, (_, i) =>
        one(new Map([['count', { index: i }]]), n === 1 ? base : `${base}[${i}]`),
      );
    }
    if (forEach)
      return this.each(forEach, this.mod.scope(this.sink.text), 'each').map((x) =>
        one(x.bind, x.key === undefined ? base : `${base}[${JSON.stringify(x.key)}]`, x.unknown),
      );
    return [one(new Map(), base)];
  }

  /** Expands a for_each over a literal map or set; an unknown collection gives one instance marked unknown. */
  private each(
    a: Attribute,
    scope: ReturnType<ModuleValues['scope']>,
    name: string,
  ): { key?: string | number; bind: Map<string, Value>; unknown?: UnknownPart }[] {
    const coll = evaluate(a.expr, scope);
    const parent = scope.bindings;
    if (coll instanceof Unknown || coll === null || typeof coll !== 'object') {
      const bind = new Map(parent);
      bind.set(name, {
        key: new Unknown(`${name}.key (for_each ${describe(coll)})`),
        value: new Unknown(`${name}.value (for_each ${describe(coll)})`),
      });
      return [{ bind, unknown: this.unknownPart('for_each', a, coll) }];
    }
    const entries: [string | number, Value][] = Array.isArray(coll)
      ? coll.map((v) => [typeof v === 'string' || typeof v === 'number' ? v : JSON.stringify(v), v])
      : Object.entries(coll);
    return entries.slice(0, MAX_INSTANCES).map(([k, v]) => {
      const bind = new Map(parent);
      bind.set(name, { key: k, value: v });
      return { key: k, bind };
    });
  }

  private unknownPart(what: string, a: Attribute, v: Value): UnknownPart {
    return {
      text: `${what} ${exprText(this.sink.text, a.expr)}${v instanceof Unknown ? ` (${v.why})` : ''}`,
      range: this.sink.range(a.expr),
    };
  }

  /** Nested blocks of a type, static and `dynamic "type"` ones (expanded over a literal for_each). */
  private nested(inst: Instance, type: string): Instance[] {
    const out: Instance[] = blocksOf(inst.body, type).map((b, i) => ({
      ...inst,
      address: `${inst.address}/${type}[${i}]`,
      body: b.body,
      block: b,
    }));
    // Attributes-as-blocks: `ingress = [{ from_port = 22, … }]` is the same as ingress blocks.
    const list = attrOf(inst.body, type)?.expr;
    // A single object (JSON syntax) is one block.
    const objects = list?.k === 'tuple' ? list.items : list?.k === 'object' ? [list] : [];
    objects.forEach((item) => {
      if (item.k !== 'object') return;
      const body = objectBody(item);
      const block: Block = {
        type: 'block',
        blockType: type,
        typeSpan: { start: item.start, end: item.start + 1 },
        labels: [],
        body,
        start: item.start,
        end: item.end,
      };
      out.push({ ...inst, address: `${inst.address}/${type}[${out.length}]`, body, block });
    });
    for (const d of blocksOf(inst.body, 'dynamic')) {
      if (d.labels[0]?.value !== type) continue;
      const content = blocksOf(d.body, 'content')[0];
      const fe = attrOf(d.body, 'for_each');
      if (!content || !fe) continue;
      const it = this.value({ ...inst, body: d.body }, 'iterator');
      const name = typeof it === 'string' ? it : type;
      const expanded = this.each(fe, this.scope(inst), name);
      expanded.forEach((x, i) =>
        out.push({
          ...inst,
          address: `${inst.address}/dynamic ${type}[${i}]`,
          body: content.body,
          block: d,
          bindings: x.bind,
          ...(x.unknown ? { unknown: x.unknown } : {}),
        }),
      );
    }
    return out;
  }

  private add(g: CloudGroup, r: CloudRule): void {
    this.rules.get(g)!.push(r);
  }

  /** A value with what went wrong when it is not literal: the unknown part names the argument. */
  private arg(inst: Instance, names: string[]): { a: Attribute; v: Value } | undefined {
    for (const n of names) {
      const a = attrOf(inst.body, n);
      if (a) {
        const v = evaluate(a.expr, this.scope(inst));
        // null, "" and [] leave an argument unset (attribute-list rules must spell out every argument).
        if (v !== null && v !== '' && !(Array.isArray(v) && !v.length)) return { a, v };
      }
    }
    return undefined;
  }

  private unknownOf(a: Attribute, v: Value): UnknownPart | undefined {
    const u = findUnknown(v);
    return u ? { text: `${a.name} ${exprText(this.sink.text, a.expr)} (${u.why})`, range: this.sink.range(a.expr) } : undefined;
  }

  /** AWS security group rules (inline, standalone, VPC ingress rule) and NACL entries. */
  private awsRule(g: CloudGroup, inst: Instance, kind: 'union' | 'nacl'): void {
    const unknowns: UnknownPart[] = inst.unknown ? [inst.unknown] : [];
    const anchor = this.sink.range(inst.block.typeSpan);
    const proto = this.arg(inst, ['protocol', 'ip_protocol']);
    let protocols: CloudRule['protocols'] = 'all';
    if (proto) {
      const u = this.unknownOf(proto.a, proto.v);
      if (u) unknowns.push(u);
      else {
        const p = protocolOf(proto.v as string);
        if (!p)
          this.sink.problem(
            'PC001',
            proto.a.expr,
            `unknown protocol \`${String(proto.v)}\`: expected tcp, udp, icmp, icmpv6, -1/all or a protocol number`,
          );
        else protocols = p === 'all' ? 'all' : [p];
      }
    }
    // AWS ignores the port fields for protocol -1 (all traffic) and for protocols without ports.
    let ports: PortItem[] | undefined;
    let portsRange: Range | undefined;
    if (protocols !== 'all' && hasPorts(protocols[0])) {
      const from = this.arg(inst, ['from_port']);
      const to = this.arg(inst, ['to_port']);
      const uf = from && this.unknownOf(from.a, from.v);
      const ut = to && this.unknownOf(to.a, to.v);
      if (uf || ut) unknowns.push(...[uf, ut].filter((x): x is UnknownPart => !!x));
      else if (from || to) {
        const lo0 = Number(from?.v ?? to?.v);
        const hi0 = Number(to?.v ?? from?.v);
        // -1 in a TCP/UDP rule means every port.
        const lo = lo0 < 0 ? 0 : lo0;
        const hi = hi0 < 0 ? 65535 : hi0;
        const spans = [from?.a.expr, to?.a.expr].filter((x): x is Expr => !!x).sort((a, b) => a.start - b.start);
        const span = lo === hi && from ? from.a.expr : { start: spans[0].start, end: spans[spans.length - 1].end };
        portsRange = this.sink.range(span);
        if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo > 65535 || hi > 65535)
          this.sink.problem('PC002', span, `port range ${from?.v}–${to?.v} is not valid: ports are 0–65535`);
        else if (lo > hi) this.sink.problem('PC003', span, `from_port ${lo} is above to_port ${hi}: the range is empty`);
        else if (!(lo === 0 && hi === 65535)) ports = [{ text: lo === hi ? `${lo}` : `${lo}-${hi}`, range: portsRange, lo, hi }];
      }
    }
    const { sources, sourcesRange } = this.awsSources(inst, unknowns, anchor, kind);
    let allow = true;
    let order: number | undefined;
    let actionRange = anchor;
    if (kind === 'nacl') {
      const act = this.arg(inst, ['action', 'rule_action']);
      if (act) {
        actionRange = this.sink.range(act.a.expr);
        const u = this.unknownOf(act.a, act.v);
        if (u) unknowns.push(u);
        else allow = String(act.v).toLowerCase() === 'allow';
      }
      const num = this.arg(inst, ['rule_no', 'rule_number']);
      if (num) {
        const u = this.unknownOf(num.a, num.v);
        if (u) unknowns.push(u);
        else order = Number(num.v);
      }
    }
    this.add(g, {
      address: inst.address,
      range: this.sink.range(inst.block),
      actionRange,
      allow,
      order,
      protocols,
      protocolRange: proto ? this.sink.range(proto.a.expr) : anchor,
      ports,
      portsRange,
      sources,
      sourcesRange,
      unknowns,
    });
  }

  private awsSources(
    inst: Instance,
    unknowns: UnknownPart[],
    anchor: Range,
    kind: 'union' | 'nacl',
  ): { sources: AddressSet; sourcesRange: Range } {
    const cidrNames = kind === 'nacl' ? ['cidr_block', 'ipv6_cidr_block'] : ['cidr_blocks', 'ipv6_cidr_blocks', 'cidr_ipv4', 'cidr_ipv6'];
    let sources = AddressSet.NONE;
    let range: Range | undefined;
    for (const n of cidrNames) {
      const a = attrOf(inst.body, n);
      if (!a) continue;
      range ??= this.sink.range(a.expr);
      sources = sources.union(this.cidrs(a, this.scope(inst), unknowns));
    }
    for (const n of ['prefix_list_ids', 'prefix_list_id']) {
      const a = attrOf(inst.body, n);
      if (!a) continue;
      const v = evaluate(a.expr, this.scope(inst));
      if (v === null || (Array.isArray(v) && !v.length)) continue;
      // A prefix list's CIDRs live in AWS, not in the file: count it as anywhere, approximately.
      unknowns.push({
        text: `prefix list ${exprText(this.sink.text, a.expr)} (its CIDRs are not in the workspace)`,
        range: this.sink.range(a.expr),
      });
      sources = AddressSet.ANY;
      range ??= this.sink.range(a.expr);
    }
    return { sources, sourcesRange: range ?? anchor };
  }

  /** CIDR lists (or comma-joined strings); unknown parts make the rule approximate and count as anywhere. */
  private cidrs(a: Attribute, scope: ReturnType<ModuleValues['scope']>, unknowns: UnknownPart[], tags = false): AddressSet {
    const v = evaluate(a.expr, scope);
    const items = Array.isArray(v) ? v : [v];
    let set = AddressSet.NONE;
    for (const item of items) {
      if (item === null) continue;
      if (item instanceof Unknown || typeof item === 'object') {
        unknowns.push({
          text: `${a.name} ${exprText(this.sink.text, a.expr)} (${item instanceof Unknown ? item.why : 'not a string'})`,
          range: this.sink.range(a.expr),
        });
        set = AddressSet.ANY;
        continue;
      }
      for (const part of String(item)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)) {
        const parsed = tags ? azurePrefix(part) : AddressSet.parse(part);
        if (parsed === 'tag') {
          unknowns.push({ text: `service tag ${part} (its addresses are not modelled)`, range: this.sink.range(a.expr) });
          set = AddressSet.ANY;
        } else if (parsed) set = set.union(parsed);
        else this.sink.problem('PC007', a.expr, `malformed address \`${part}\`: expected a CIDR network such as 203.0.113.0/24`);
      }
    }
    return set;
  }

  /** Azure NSG rules: inline `security_rule` blocks and `azurerm_network_security_rule`. */
  private azureRule(g: CloudGroup, inst: Instance, inline: boolean): void {
    const direction = this.value(inst, 'direction');
    const name = this.value(inst, 'name');
    const address = inline ? `${g.address}/${typeof name === 'string' ? name : inst.address.split('/').pop()}` : inst.address;
    const prio = this.arg(inst, ['priority']);
    if (prio) this.sink.clashes.note(g, direction, prio.v, this.sink.range(prio.a.expr), address);
    if (typeof direction === 'string' && direction.toLowerCase() !== 'inbound') return;
    const unknowns: UnknownPart[] = inst.unknown ? [inst.unknown] : [];
    if (direction instanceof Unknown)
      unknowns.push({ text: `direction (${direction.why})`, range: this.sink.range(attrOf(inst.body, 'direction')!.expr) });
    const anchor = this.sink.range(inst.block.typeSpan);
    const access = this.arg(inst, ['access']);
    let allow = true;
    if (access) {
      const u = this.unknownOf(access.a, access.v);
      if (u) unknowns.push(u);
      else allow = String(access.v).toLowerCase() === 'allow';
    }
    let order: number | undefined;
    if (prio) {
      const u = this.unknownOf(prio.a, prio.v);
      if (u) unknowns.push(u);
      else order = Number(prio.v);
    }
    const proto = this.arg(inst, ['protocol']);
    let protocols: CloudRule['protocols'] = 'all';
    if (proto) {
      const u = this.unknownOf(proto.a, proto.v);
      if (u) unknowns.push(u);
      else {
        const p = protocolOf(String(proto.v));
        if (!p)
          this.sink.problem('PC001', proto.a.expr, `unknown NSG protocol \`${String(proto.v)}\`: expected Tcp, Udp, Icmp, Esp, Ah or *`);
        else protocols = p === 'all' ? 'all' : [p];
      }
    }
    const portsArg = this.arg(inst, ['destination_port_range', 'destination_port_ranges']);
    const { ports, portsRange } = this.portList(portsArg, inst, unknowns);
    let sources = AddressSet.NONE;
    const src = this.arg(inst, ['source_address_prefix', 'source_address_prefixes']);
    if (src) sources = this.cidrs(src.a, this.scope(inst), unknowns, true);
    else if (!attrOf(inst.body, 'source_application_security_group_ids')) sources = AddressSet.ANY;
    const dst = this.arg(inst, ['destination_address_prefix', 'destination_address_prefixes']);
    let destination: CloudRule['destination'];
    if (dst) {
      const vals: Value[] = (Array.isArray(dst.v) ? dst.v : [dst.v]).flatMap((x): Value[] => (typeof x === 'string' ? x.split(',') : [x]));
      const everywhere = vals.every((x) => typeof x === 'string' && /^(\*|any|internet|virtualnetwork)$/i.test(x.trim()));
      if (!everywhere) {
        const dunk: UnknownPart[] = [];
        const set = this.cidrs(dst.a, this.scope(inst), dunk, true);
        if (dunk.length) unknowns.push(...dunk);
        else destination = { set, range: this.sink.range(dst.a.expr) };
      }
    }
    const actionRange = access ? this.sink.range(access.a.expr) : anchor;
    this.add(g, {
      address,
      range: this.sink.range(inst.block),
      actionRange,
      allow,
      order,
      protocols,
      protocolRange: proto ? this.sink.range(proto.a.expr) : anchor,
      ports: protocols === 'all' || hasPorts(protocols[0]) ? ports : undefined,
      portsRange,
      sources,
      sourcesRange: src ? this.sink.range(src.a.expr) : anchor,
      unknowns,
      destination,
    });
  }

  /** `"22"`, `"1000-2000"`, `"*"`, or a list of them (Azure NSG and GCP ports). */
  private portList(
    arg: { a: Attribute; v: Value } | undefined,
    inst: Instance,
    unknowns: UnknownPart[],
  ): { ports?: PortItem[]; portsRange?: Range } {
    if (!arg) return {};
    const u = this.unknownOf(arg.a, arg.v);
    if (u) {
      unknowns.push(u);
      return {};
    }
    const e = arg.a.expr;
    const list = Array.isArray(arg.v) ? arg.v : [arg.v];
    const exprs = e.k === 'tuple' && e.items.length === list.length ? e.items : list.map(() => e);
    const items: PortItem[] = [];
    for (let i = 0; i < list.length; i++) {
      const span = exprs[i];
      for (const part of String(list[i]).split(',')) {
        const item = portItem(part, this.sink.range(span));
        if (item === 'all') return { portsRange: this.sink.range(e) };
        if (typeof item === 'string') this.sink.problem(item.includes('out of range') ? 'PC002' : 'PC001', span, item);
        else {
          if (item.lo > item.hi) this.sink.problem('PC003', span, `port range \`${item.text}\` is reversed (${item.lo} > ${item.hi})`);
          items.push(item);
        }
      }
    }
    void inst;
    return { ports: items, portsRange: this.sink.range(e) };
  }

  /** GCP firewall rules: grouped by network, priority order with deny first at equal priority. */
  private gcpRules(inst: Instance): void {
    const direction = this.value(inst, 'direction');
    if (typeof direction === 'string' && direction.toUpperCase() !== 'INGRESS') return;
    if (this.value(inst, 'disabled') === true) return;
    const unknowns: UnknownPart[] = inst.unknown ? [inst.unknown] : [];
    const net = attrOf(inst.body, 'network');
    const netValue = net ? evaluate(net.expr, this.scope(inst)) : 'default';
    const netName =
      net?.expr.k === 'ref' && typeof net.expr.path[0] === 'string'
        ? `${net.expr.root === 'var' || net.expr.root === 'local' ? '' : this.place.prefix}${net.expr.root}.${net.expr.path[0]}`
        : typeof netValue === 'string'
          ? netValue
          : exprText(this.sink.text, net!.expr);
    const g = this.group(
      'google_compute_network',
      netName,
      net ? this.sink.range(net.expr) : this.sink.range(inst.block.typeSpan),
      'ordered-deny-first',
    );
    const prio = this.arg(inst, ['priority']);
    let order = 1000;
    if (prio) {
      const u = this.unknownOf(prio.a, prio.v);
      if (u) unknowns.push(u);
      else order = Number(prio.v);
    }
    const ranges = attrOf(inst.body, 'source_ranges');
    const rangesValue = ranges ? evaluate(ranges.expr, this.scope(inst)) : null;
    const hasTagSources = ['source_tags', 'source_service_accounts'].some((n) => {
      const v = this.value(inst, n);
      return v !== undefined && v !== null && !(Array.isArray(v) && !v.length);
    });
    let sources: AddressSet;
    const su: UnknownPart[] = [];
    // No source ranges and no source tags or service accounts: GCP applies the rule to 0.0.0.0/0.
    if (rangesValue !== null && ranges) sources = this.cidrs(ranges, this.scope(inst), su);
    else sources = hasTagSources ? AddressSet.NONE : AddressSet.ANY_V4;
    unknowns.push(...su);
    const targets = ['target_tags', 'target_service_accounts'].flatMap((n) => {
      const a = attrOf(inst.body, n);
      const v = a && evaluate(a.expr, this.scope(inst));
      return a && v !== null && !(Array.isArray(v) && !v.length) ? [a] : [];
    });
    const allows = [
      ...this.nested(inst, 'allow').map((b) => ({ b, allow: true })),
      ...this.nested(inst, 'deny').map((b) => ({ b, allow: false })),
    ];
    const loose = attrOf(inst.body, 'allow') ?? attrOf(inst.body, 'deny');
    if (!allows.length && loose) {
      unknowns.push({
        text: `${loose.name} ${exprText(this.sink.text, loose.expr)} (not a block: protocols and ports unknown)`,
        range: this.sink.range(loose.expr),
      });
      allows.push({ b: inst, allow: loose.name === 'allow' });
    }
    for (const { b, allow } of allows) {
      const own = [...unknowns, ...(b.unknown && b.unknown !== inst.unknown ? [b.unknown] : [])];
      // A deny that applies only to tagged instances cannot be counted on for every instance.
      if (!allow)
        for (const t of targets)
          own.push({ text: `applies only to ${t.name} ${exprText(this.sink.text, t.expr)}`, range: this.sink.range(t.expr) });
      const proto = b === inst ? undefined : this.arg(b, ['protocol']);
      let protocols: CloudRule['protocols'] = 'all';
      if (proto) {
        const u = this.unknownOf(proto.a, proto.v);
        if (u) own.push(u);
        else {
          const p = protocolOf(String(proto.v));
          if (!p) this.sink.problem('PC001', proto.a.expr, `unknown protocol \`${String(proto.v)}\``);
          else protocols = p === 'all' ? 'all' : [p];
        }
      }
      const portArg = b === inst ? undefined : this.arg(b, ['ports']);
      const { ports, portsRange } = this.portList(portArg, b, own);
      const actionRange = this.sink.range(b === inst ? inst.block.typeSpan : b.block.typeSpan);
      this.add(g, {
        address: inst.address,
        range: this.sink.range(b === inst ? inst.block : b.block),
        actionRange,
        allow,
        order,
        protocols,
        protocolRange: proto ? this.sink.range(proto.a.expr) : actionRange,
        ports: protocols === 'all' ? undefined : ports,
        portsRange,
        sources,
        sourcesRange: ranges ? this.sink.range(ranges.expr) : actionRange,
        unknowns: own,
      });
    }
  }
}

/** A group named only by the expression that should name it: no known resource, so no clash is judged in it. */
function unresolved(g: CloudGroup): CloudGroup {
  g.unresolved = true;
  return g;
}

function describe(v: Value): string {
  return v instanceof Unknown ? v.why : `is ${JSON.stringify(v)}`;
}

/** An object expression read as a block body: each `key = value` item becomes an attribute. */
function objectBody(o: Extract<Expr, { k: 'object' }>): Body {
  const items: Attribute[] = [];
  for (const it of o.items) {
    const key = it.key.k === 'lit' ? String(it.key.value) : undefined;
    if (key !== undefined)
      items.push({
        type: 'attribute',
        name: key,
        nameSpan: { start: it.key.start, end: it.key.end },
        expr: it.value,
        start: it.key.start,
        end: it.value.end,
      });
  }
  return { items };
}
