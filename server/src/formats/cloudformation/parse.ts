/**
 * CloudFormation templates (YAML or JSON): `AWS::EC2::SecurityGroup` inline `SecurityGroupIngress`,
 * standalone `AWS::EC2::SecurityGroupIngress` (reported under the group it attaches to) and
 * `AWS::EC2::NetworkAclEntry` (ordered by RuleNumber). Intrinsics are resolved where the template makes them
 * literal (`Ref` to a parameter default, `Fn::Sub`, `Fn::FindInMap`, `Fn::Join`, `Fn::Select`); `Fn::If`
 * gives the union of its branches, approximately.
 */
import { AddressSet } from '../../model/addresses';
import { CODES } from '../../model/codes';
import type { Finding } from '../../model/finding';
import type { Range } from '../../model/range';
import type { Ruleset } from '../../model/ruleset';
import { get, parseJsonDoc, parseYamlDoc, type DocNode } from '../cloud/doc';
import { readAwsPorts, readProtocol, readSources, type Field, type Report } from '../cloud/fields';
import { Positions } from '../positions';
import { buildCloudRuleset, type CloudGroup, type CloudRule, type Unknown as UnknownPart } from '../cloud/ruleset';
import { Unknown, type Value } from '../cloud/value';

const SG = 'AWS::EC2::SecurityGroup';
const NACL = 'AWS::EC2::NetworkAcl';
const MAX_DEPTH = 64;

export function parseCloudFormation(text: string, json: boolean): Ruleset {
  const pos = new Positions(text);
  const problems: Finding[] = [];
  const { root, problems: syntax } = json ? parseJsonDoc(text) : parseYamlDoc(text);
  for (const p of syntax)
    problems.push({ code: 'PC001', severity: CODES.PC001.severity, message: p.message, range: pos.range(p.start, p.end) });
  const report: Report = (code, range, message) => problems.push({ code, severity: CODES[code].severity, message, range });
  const groups: CloudGroup[] = [];
  const rules = new Map<CloudGroup, CloudRule[]>();
  const resources = get(root, 'Resources');
  if (resources?.type !== 'map') return buildCloudRuleset('cloudformation', groups, rules, problems);
  const ev = new Intrinsics(root!);
  const byId = new Map<string, CloudGroup>();
  const group = (id: string, type: string, range: Range): CloudGroup => {
    let g = byId.get(id);
    if (!g) {
      g = { type, address: id, range, ordering: type === NACL ? 'ordered' : 'union' };
      byId.set(id, g);
      groups.push(g);
      rules.set(g, []);
    }
    return g;
  };
  const typeOf = (r: DocNode) => {
    const t = get(r, 'Type');
    return t?.type === 'scalar' ? String(t.value) : '';
  };
  for (const e of resources.entries) {
    const t = typeOf(e.value);
    if (t === SG || t === NACL) group(e.key, t, pos.range(e.keyStart, e.keyEnd));
  }
  const field = (props: DocNode | undefined, name: string): Field | undefined => {
    const n = get(props, name);
    if (!n) return undefined;
    const v = ev.value(n);
    const range = pos.range(n.start, n.end);
    return v instanceof Choice ? { name, value: null, range, alternatives: { values: v.options, why: v.why } } : { name, value: v, range };
  };
  /** The group a standalone resource names: Ref X, GetAtt X.GroupId, a literal id, or the written value. */
  const attached = (props: DocNode | undefined, names: string[], type: string, fallback: Range): CloudGroup => {
    for (const name of names) {
      const n = get(props, name);
      if (!n) continue;
      const id = refTarget(n);
      if (id) return byId.get(id) ?? group(id, type, pos.range(n.start, n.end));
      const v = ev.value(n);
      return group(typeof v === 'string' ? v : describeNode(n), type, pos.range(n.start, n.end));
    }
    return group(`(no ${names.join('/')})`, type, fallback);
  };
  const addRule = (g: CloudGroup, address: string, props: DocNode, anchor: Range, nacl: boolean) => {
    const unknowns: UnknownPart[] = [];
    const proto = readProtocol(field(props, nacl ? 'Protocol' : 'IpProtocol'), anchor, unknowns, report);
    const range = get(props, 'PortRange');
    const { ports, portsRange } = readAwsPorts(
      field(nacl ? range : props, nacl ? 'From' : 'FromPort'),
      field(nacl ? range : props, nacl ? 'To' : 'ToPort'),
      proto.protocols,
      unknowns,
      report,
    );
    const cidrs = [field(props, nacl ? 'CidrBlock' : 'CidrIp'), field(props, nacl ? 'Ipv6CidrBlock' : 'CidrIpv6')].filter(
      (f): f is Field => !!f,
    );
    let sources = readSources(cidrs, false, unknowns, report);
    const prefix = field(props, 'SourcePrefixListId');
    if (prefix) {
      unknowns.push({ text: `SourcePrefixListId (its CIDRs are not in the template)`, range: prefix.range });
      sources = AddressSet.ANY;
    }
    let allow = true;
    let order: number | undefined;
    let actionRange = anchor;
    if (nacl) {
      const act = field(props, 'RuleAction');
      if (act) {
        actionRange = act.range;
        if (typeof act.value === 'string') allow = act.value.toLowerCase() === 'allow';
        else unknowns.push({ text: `RuleAction (${act.alternatives?.why ?? 'unknown'})`, range: act.range });
      }
      const num = field(props, 'RuleNumber');
      if (num && typeof num.value === 'number') order = num.value;
      else if (num) unknowns.push({ text: `RuleNumber (unknown)`, range: num.range });
    }
    rules.get(g)!.push({
      address,
      range: pos.range(props.start, props.end),
      actionRange,
      allow,
      order,
      ...proto,
      ports,
      portsRange,
      sources,
      sourcesRange: cidrs[0]?.range ?? prefix?.range ?? anchor,
      unknowns,
    });
  };
  for (const e of resources.entries) {
    const t = typeOf(e.value);
    const props = get(e.value, 'Properties');
    const anchor = pos.range(e.keyStart, e.keyEnd);
    if (t === SG) {
      const ing = get(props, 'SecurityGroupIngress');
      const items = ing?.type === 'seq' ? ing.items : ing?.type === 'map' ? [ing] : [];
      if (ing && ing.type === 'scalar')
        report(
          'PC001',
          pos.range(ing.start, ing.end),
          'SecurityGroupIngress must be a list of rules (or one rule), not a string: CloudFormation rejects the template',
        );
      for (const it of items) if (it.type === 'map') addRule(byId.get(e.key)!, e.key, it, anchor, false);
    } else if (t === 'AWS::EC2::SecurityGroupIngress' && props) {
      addRule(attached(props, ['GroupId', 'GroupName'], SG, anchor), e.key, props, anchor, false);
    } else if (t === 'AWS::EC2::NetworkAclEntry' && props) {
      const egress = ev.value(get(props, 'Egress') ?? { type: 'scalar', value: false, start: 0, end: 0 });
      if (egress === true || egress === 'true') continue;
      addRule(attached(props, ['NetworkAclId'], NACL, anchor), e.key, props, anchor, true);
    }
  }
  return buildCloudRuleset('cloudformation', groups, rules, problems);
}

/** A short written form of a value known only at deployment, e.g. `Fn::Select [0, Ref SecurityGroupIds]`. */
function describeNode(n: DocNode, depth = 0): string {
  if (depth > 4) return '…';
  if (n.type === 'scalar') return String(n.value);
  if (n.type === 'seq') return `[${n.items.map((x) => describeNode(x, depth + 1)).join(', ')}]`;
  return n.entries.map((e) => `${e.key} ${describeNode(e.value, depth + 1)}`).join(', ');
}

/** `Ref: X`, `Fn::GetAtt: [X, GroupId]` → X. */
function refTarget(n: DocNode): string | undefined {
  if (n.type !== 'map' || n.entries.length !== 1) return undefined;
  const [{ key, value }] = n.entries;
  if (key === 'Ref' && value.type === 'scalar') return String(value.value);
  if (key === 'Fn::GetAtt') {
    if (value.type === 'seq' && value.items[0]?.type === 'scalar') return String(value.items[0].value);
    if (value.type === 'scalar') return String(value.value).split('.')[0];
  }
  return undefined;
}

/** The branches of an `Fn::If`: the rule reads their union and says it is approximate. */
class Choice {
  constructor(
    readonly options: Value[],
    readonly why: string,
  ) {}
}

class Intrinsics {
  constructor(private readonly root: DocNode) {}

  value(n: DocNode, depth = 0): Value | Choice {
    if (depth > MAX_DEPTH) return new Unknown('intrinsics nested too deeply');
    if (n.type === 'scalar') return n.value;
    if (n.type === 'seq') {
      const items = n.items.map((x) => this.value(x, depth + 1));
      return items.map((x) => (x instanceof Choice ? new Unknown(x.why) : x));
    }
    if (n.entries.length === 1 && (n.entries[0].key === 'Ref' || n.entries[0].key.startsWith('Fn::')))
      return this.intrinsic(n.entries[0].key, n.entries[0].value, depth);
    const o: { [k: string]: Value } = {};
    for (const e of n.entries) {
      const v = this.value(e.value, depth + 1);
      o[e.key] = v instanceof Choice ? new Unknown(v.why) : v;
    }
    return o;
  }

  private plain(n: DocNode | undefined, depth: number): Value {
    if (!n) return new Unknown('missing argument');
    const v = this.value(n, depth + 1);
    return v instanceof Choice ? new Unknown(v.why) : v;
  }

  private intrinsic(fn: string, arg: DocNode, depth: number): Value | Choice {
    const args = arg.type === 'seq' ? arg.items : [arg];
    switch (fn) {
      case 'Ref': {
        const name = arg.type === 'scalar' ? String(arg.value) : '';
        const p = get(get(this.root, 'Parameters'), name);
        if (p) {
          const d = get(p, 'Default');
          return d ? this.plain(d, depth) : new Unknown(`parameter ${name} has no Default`);
        }
        if (name.startsWith('AWS::')) return new Unknown(`pseudo parameter ${name}`);
        return new Unknown(`Ref ${name} (known only after deployment)`);
      }
      case 'Fn::If': {
        const cond = args[0]?.type === 'scalar' ? String(args[0].value) : '?';
        return new Choice([this.plain(args[1], depth), this.plain(args[2], depth)], `Fn::If ${cond}: either branch`);
      }
      case 'Fn::Sub': {
        const tmpl = this.plain(args[0], depth);
        if (typeof tmpl !== 'string') return new Unknown('Fn::Sub');
        const vars = args[1] ? this.plain(args[1], depth) : {};
        let unknown: Unknown | undefined;
        const out = tmpl.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
          const local = vars && typeof vars === 'object' && !Array.isArray(vars) && !(vars instanceof Unknown) ? vars[name] : undefined;
          const v =
            local ??
            this.plain(
              {
                type: 'map',
                entries: [{ key: 'Ref', keyStart: 0, keyEnd: 0, value: { type: 'scalar', value: name, start: 0, end: 0 } }],
                start: 0,
                end: 0,
              },
              depth,
            );
          if (typeof v === 'string' || typeof v === 'number') return String(v);
          unknown = new Unknown(`Fn::Sub \${${name}}`);
          return '';
        });
        return unknown ?? out;
      }
      case 'Fn::FindInMap': {
        const [m, k1, k2] = args.map((a) => this.plain(a, depth));
        if ([m, k1, k2].some((x) => typeof x !== 'string')) return new Unknown('Fn::FindInMap with keys known only at deployment');
        const v = get(get(get(get(this.root, 'Mappings'), m as string), k1 as string), k2 as string);
        return v ? this.plain(v, depth) : new Unknown(`Fn::FindInMap ${m}.${k1}.${k2} not in Mappings`);
      }
      case 'Fn::Join': {
        const sep = this.plain(args[0], depth);
        const list = this.plain(args[1], depth);
        if (typeof sep !== 'string' || !Array.isArray(list) || list.some((x) => typeof x !== 'string' && typeof x !== 'number'))
          return new Unknown('Fn::Join');
        return list.join(sep);
      }
      case 'Fn::Select': {
        const i = Number(this.plain(args[0], depth));
        const list = this.plain(args[1], depth);
        return Array.isArray(list) && i >= 0 && i < list.length ? list[i] : new Unknown('Fn::Select');
      }
      case 'Fn::Split': {
        const sep = this.plain(args[0], depth);
        const s = this.plain(args[1], depth);
        return typeof sep === 'string' && typeof s === 'string' ? s.split(sep) : new Unknown('Fn::Split');
      }
      default:
        return new Unknown(`${fn} (known only after deployment)`);
    }
  }
}
