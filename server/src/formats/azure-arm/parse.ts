/**
 * Azure Resource Manager templates (and Bicep's compiled JSON): `Microsoft.Network/networkSecurityGroups`
 * with inline `securityRules` (also built by a property `copy` loop), and child `…/securityRules` resources
 * (top-level `nsg/rule` names or nested under the NSG) merged into their NSG, which orders all of them by
 * priority. Resource `copy` loops over a literal count are expanded.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { CODES } from '../../model/codes';
import type { Finding } from '../../model/finding';
import type { Range } from '../../model/range';
import type { Ruleset } from '../../model/ruleset';
import { get, getCI, parseJsonDoc, type DocNode } from '../cloud/doc';
import { readPortList, readProtocol, readSources, type Field, type Report } from '../cloud/fields';
import { Positions } from '../positions';
import { PriorityClashes } from '../cloud/priorities';
import { buildCloudRuleset, type CloudGroup, type CloudRule, type Unknown as UnknownPart } from '../cloud/ruleset';
import { Unknown, findUnknown, type Value } from '../cloud/value';
import type { ParseContext } from '../format';
import { evaluateNode, parameterValues, type ArmContext } from './expressions';

const NSG = 'microsoft.network/networksecuritygroups';
const MAX_COPIES = 800;

export function parseArm(text: string, ctx: ParseContext): Ruleset {
  const pos = new Positions(text);
  const problems: Finding[] = [];
  const { root, problems: syntax } = parseJsonDoc(text);
  for (const p of syntax)
    problems.push({ code: 'PC001', severity: CODES.PC001.severity, message: p.message, range: pos.range(p.start, p.end) });
  const report: Report = (code, range, message) => problems.push({ code, severity: CODES[code].severity, message, range });
  const values = new TemplateValues(root, ctx.path);
  const groups: CloudGroup[] = [];
  const rules = new Map<CloudGroup, CloudRule[]>();
  const byName = new Map<string, CloudGroup>();
  const group = (name: string, range: Range): CloudGroup => {
    let g = byName.get(name);
    if (!g) {
      g = { type: 'Microsoft.Network/networkSecurityGroups', address: name, range, ordering: 'ordered', azureDefaults: true };
      byName.set(name, g);
      groups.push(g);
      rules.set(g, []);
    }
    return g;
  };
  const nameOf = (n: DocNode | undefined, c: ArmContext): string => {
    if (!n) return '(unnamed)';
    const v = evaluateNode(n, c);
    return typeof v === 'string' ? v : n.type === 'scalar' ? String(n.value) : text.slice(n.start, n.end);
  };
  const field = (props: DocNode | undefined, names: string[], c: ArmContext): Field | undefined => {
    for (const name of names) {
      const n = getCI(props, name);
      if (!n) continue;
      const v = evaluateNode(n, c);
      if (v === null || (Array.isArray(v) && !v.length && names.length > 1)) continue;
      return { name, value: v, range: pos.range(n.start, n.end) };
    }
    return undefined;
  };
  const clashes = new PriorityClashes(problems);
  const addRule = (g: CloudGroup, address: string, props: DocNode | undefined, anchor: Range, c: ArmContext, span: DocNode) => {
    const unknowns: UnknownPart[] = [];
    const direction = field(props, ['direction'], c);
    const prio = field(props, ['priority'], c);
    if (prio) clashes.note(g, direction?.value, prio.value, prio.range, address);
    if (direction && typeof direction.value === 'string' && direction.value.toLowerCase() !== 'inbound') return;
    if (direction && findUnknown(direction.value))
      unknowns.push({ text: `direction (${findUnknown(direction.value)!.why})`, range: direction.range });
    const access = field(props, ['access'], c);
    let allow = true;
    if (access && typeof access.value === 'string') allow = access.value.toLowerCase() === 'allow';
    else if (access) unknowns.push({ text: `access (${findUnknown(access.value)?.why ?? 'not a string'})`, range: access.range });
    const order = prio && typeof prio.value === 'number' ? prio.value : undefined;
    if (prio && order === undefined)
      unknowns.push({ text: `priority (${findUnknown(prio.value)?.why ?? 'not a number'})`, range: prio.range });
    const proto = readProtocol(field(props, ['protocol'], c), anchor, unknowns, report);
    const portField = field(props, ['destinationPortRange', 'destinationPortRanges'], c);
    const { ports, portsRange } = readPortList(portField, unknowns, report);
    const src = field(props, ['sourceAddressPrefix', 'sourceAddressPrefixes'], c);
    const sources = src
      ? readSources([src], true, unknowns, report)
      : readSources([{ name: 'source', value: '*', range: anchor }], true, unknowns, report);
    const dst = field(props, ['destinationAddressPrefix', 'destinationAddressPrefixes'], c);
    let destination: CloudRule['destination'];
    if (
      dst &&
      !(Array.isArray(dst.value) ? dst.value : [dst.value]).every(
        (x) => typeof x === 'string' && /^(\*|any|internet|virtualnetwork)$/i.test(x),
      )
    ) {
      const du: UnknownPart[] = [];
      const set = readSources([dst], true, du, report);
      if (du.length) unknowns.push(...du);
      else destination = { set, range: dst.range };
    }
    rules.get(g)!.push({
      address,
      range: pos.range(span.start, span.end),
      actionRange: access?.range ?? anchor,
      allow,
      order,
      ...proto,
      ports: proto.protocols === 'all' || proto.protocols.some((p) => p === 'tcp' || p === 'udp') ? ports : undefined,
      portsRange,
      sources,
      sourcesRange: src?.range ?? anchor,
      unknowns,
      destination,
    });
  };
  const inlineRules = (g: CloudGroup, props: DocNode | undefined, c: ArmContext) => {
    const list = getCI(props, 'securityRules');
    if (list?.type === 'seq') {
      for (const r of list.items) {
        const anchor = pos.range(r.start, r.start + 1);
        addRule(g, `${g.address}/${nameOf(getCI(r, 'name'), c)}`, getCI(r, 'properties'), anchor, c, r);
      }
    }
    // Property copy: { "name": "securityRules", "count": n, "input": { … copyIndex('securityRules') … } }
    const copies = getCI(props, 'copy');
    if (copies?.type === 'seq') {
      for (const cp of copies.items) {
        if (nameOf(getCI(cp, 'name'), c).toLowerCase() !== 'securityrules') continue;
        const input = getCI(cp, 'input');
        const loop = nameOf(getCI(cp, 'name'), c);
        for (const i of counted(getCI(cp, 'count'), c)) {
          const ci = withCopy(c, loop, i);
          addRule(
            g,
            `${g.address}/${nameOf(getCI(input, 'name'), ci)}`,
            getCI(input, 'properties'),
            pos.range(cp.start, cp.start + 1),
            ci,
            input ?? cp,
          );
        }
      }
    }
  };
  const counted = (n: DocNode | undefined, c: ArmContext): Value[] => {
    const v = n ? evaluateNode(n, c) : 1;
    if (typeof v !== 'number') return [new Unknown(`copy count ${v instanceof Unknown ? v.why : 'unknown'}`)];
    return Array.from({ length: Math.min(MAX_COPIES, Math.max(0, v)) }, (_, i) => i);
  };
  const visit = (resources: DocNode | undefined, parent: CloudGroup | undefined) => {
    if (resources?.type !== 'seq') return;
    for (const r of resources.items) {
      const typeNode = getCI(r, 'type');
      const type = typeNode?.type === 'scalar' ? String(typeNode.value).toLowerCase() : '';
      const copy = getCI(r, 'copy');
      const loop = copy ? nameOf(getCI(copy, 'name'), values.ctx) : undefined;
      for (const i of copy ? counted(getCI(copy, 'count'), values.ctx) : [undefined]) {
        const c = loop !== undefined && i !== undefined ? withCopy(values.ctx, loop, i) : values.ctx;
        const nameNode = getCI(r, 'name');
        const name = nameOf(nameNode, c);
        const anchor = nameNode ? pos.range(nameNode.start, nameNode.end) : pos.range(r.start, r.start + 1);
        if (type === NSG) {
          const g = group(name, anchor);
          inlineRules(g, getCI(r, 'properties'), c);
          visit(getCI(r, 'resources'), g);
        } else if (type === `${NSG}/securityrules` || (parent && type === 'securityrules')) {
          const [nsg, rule] = splitChildName(name);
          const g = type === 'securityrules' ? parent! : group(nsg, anchor);
          addRule(g, `${g.address}/${type === 'securityrules' ? name : rule}`, getCI(r, 'properties'), anchor, c, r);
        } else visit(getCI(r, 'resources'), undefined);
      }
    }
  };
  visit(get(root, 'resources'), undefined);
  return buildCloudRuleset('azure-arm', groups, rules, problems);
}

/**
 * `nsg/rule`, or for a name known only at deployment, `[concat(<nsg expression>, '/rule')]`: the NSG is then
 * the one whose name is written `[<nsg expression>]`, which is how templates pair them.
 */
function splitChildName(name: string): [string, string] {
  const m = /^\[concat\((.*),\s*'\/([^']*)'\s*\)\]$/.exec(name);
  if (m) return [`[${m[1].trim()}]`, m[2]];
  const slash = name.lastIndexOf('/');
  return slash > 0 ? [name.slice(0, slash), name.slice(slash + 1)] : [`(NSG of ${name})`, name];
}

function withCopy(c: ArmContext, loop: string, i: Value): ArmContext {
  return { ...c, copyIndex: (name) => (name === undefined || name.toLowerCase() === loop.toLowerCase() ? i : c.copyIndex(name)) };
}

/** Parameters (from a parameters file beside the template, else defaults) and variables, evaluated once. */
class TemplateValues {
  private readonly params: Map<string, DocNode>;
  private readonly memo = new Map<string, Value>();
  private readonly active = new Set<string>();
  readonly ctx: ArmContext;

  constructor(
    private readonly root: DocNode | undefined,
    path: string | undefined,
  ) {
    this.params = parameterValues(parametersFile(path));
    this.ctx = {
      parameter: (n) =>
        this.resolve(`p:${n}`, () => {
          const given = this.params.get(n);
          if (given) return evaluateNode(given, this.ctx);
          const decl = getCI(get(this.root, 'parameters'), n);
          if (!decl) return new Unknown(`parameters('${n}') is not declared`);
          const d = getCI(decl, 'defaultValue');
          return d ? evaluateNode(d, this.ctx) : new Unknown(`parameters('${n}') has no default and no parameters file value`);
        }),
      variable: (n) =>
        this.resolve(`v:${n}`, () => {
          const d = getCI(get(this.root, 'variables'), n);
          return d ? evaluateNode(d, this.ctx) : new Unknown(`variables('${n}') is not declared`);
        }),
      copyIndex: () => new Unknown('copyIndex() outside a copy loop'),
    };
  }

  private resolve(key: string, compute: () => Value): Value {
    if (this.memo.has(key)) return this.memo.get(key)!;
    if (this.active.has(key) || this.active.size > 64) return new Unknown(`cyclic reference through ${key.slice(2)}`);
    this.active.add(key);
    const v = compute();
    this.active.delete(key);
    this.memo.set(key, v);
    return v;
  }
}

/** `x.json` → `x.parameters.json`, else `azuredeploy.parameters.json` in the same folder. */
function parametersFile(path: string | undefined): DocNode | undefined {
  if (!path) return undefined;
  const file = path.startsWith('file://') ? decodeURIComponent(path.slice(7)) : path;
  const dir = nodePath.dirname(file);
  for (const cand of [file.replace(/\.json$/i, '.parameters.json'), nodePath.join(dir, 'azuredeploy.parameters.json')]) {
    try {
      const st = fs.statSync(cand);
      if (!st.isFile() || st.size > 2 * 1024 * 1024 || cand === file) continue;
      return parseJsonDoc(fs.readFileSync(cand, 'utf8')).root;
    } catch {
      // no parameters file
    }
  }
  return undefined;
}
