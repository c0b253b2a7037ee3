/**
 * Kubernetes manifests → model, one chain per resource (table = kind, chain = metadata.name):
 * - Service: NodePort ports on every node, LoadBalancer ports from loadBalancerSourceRanges (or anywhere),
 *   externalIPs as bound addresses; ClusterIP ports are recorded as declared only (cluster-internal).
 * - Pod and pod templates: hostPort (+ hostIP) published on the node; hostNetwork puts every containerPort there.
 * - NetworkPolicy: a forward chain of what its ingress rules allow to the pods it selects.
 * - Ingress: TCP 80 (and 443 with TLS) on the ingress controller.
 * Syntax and Kubernetes semantics only; what is risky is decided by analysis.
 */
import type { Node, Pair, Scalar } from 'yaml';
import { AddressSet } from '../../model/addresses';
import { PortSet } from '../../model/ports';
import type { Finding } from '../../model/finding';
import type { Range } from '../../model/range';
import type { Chain, Condition, PortItem, Rule, Ruleset, Table } from '../../model/ruleset';
import type { ParseContext } from '../format';
import { listenerRule, resourceChain } from '../listener';
import { get, isMap, items, mergedItems, pairOf, readYaml, scalar, text, type YamlFile } from '../yaml/document';
import { describeSelector, EVERYTHING, matches, type Labels, type Selector } from './selectors';

export const WORKLOAD_KINDS = ['Pod', 'Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob'];
/** Where pod and node addresses live when a policy names peers by label: the private and shared ranges. */
const CLUSTER_ADDRESSES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7', 'fe80::/10'].reduce(
  (s, c) => s.union(AddressSet.parse(c)!),
  AddressSet.NONE,
);
/** The range Kubernetes allocates node ports from (--service-node-port-range default). */
const NODE_PORTS: readonly [number, number] = [30000, 32767];

/** Where quick fixes may insert or remove text for a rule; kept beside the model, for the format's edits only. */
export const editAnchors = new WeakMap<Rule, { specKey?: Range; hostPortLine?: number }>();

interface Resource {
  kind: string;
  name: string;
  namespace: string;
  node: Node;
  nameRange: Range;
}

interface PodTemplate {
  res: Resource;
  labels: Labels;
  spec: Node | undefined;
  chain: Chain;
}

interface Ctx {
  file: YamlFile;
  problems: Finding[];
  nextId: number;
  tables: Map<string, Table>;
}

export function parseKubernetes(source: string, _pc: ParseContext): Ruleset {
  const file = readYaml(source, 'Kubernetes manifest');
  const ctx: Ctx = { file, problems: [...file.problems], nextId: 0, tables: new Map() };
  const resources: Resource[] = [];
  for (const doc of file.docs) collect(ctx, doc.contents as Node | null, resources, 0);
  const pods: PodTemplate[] = [];
  for (const r of resources) if (WORKLOAD_KINDS.includes(r.kind)) pods.push(workload(ctx, r));
  const policies = resources.filter((r) => r.kind === 'NetworkPolicy').map((r) => networkPolicy(ctx, r, pods));
  for (const p of pods) {
    // A pod that no ingress policy selects accepts traffic from every pod and namespace.
    p.chain.filtered = policies.some((pol) => pol.ingress && pol.namespace === p.res.namespace && matches(pol.selector, p.labels));
  }
  for (const r of resources) {
    if (r.kind === 'Service') service(ctx, r, pods);
    else if (r.kind === 'Ingress') ingress(ctx, r);
  }
  return { format: 'kubernetes', family: 'both', tables: [...ctx.tables.values()], problems: ctx.problems };
}

/** Resources of a document; `kind: List` documents hold more in `items`. */
function collect(ctx: Ctx, node: Node | null | undefined, out: Resource[], depth: number): void {
  const { file } = ctx;
  const n = file.deref(node);
  if (!isMap(n) || depth > 3) return;
  const kind = text(file, get(file, n, 'kind'));
  if (!kind) return;
  if (kind === 'List' || kind.endsWith('List')) {
    for (const item of items(file, get(file, n, 'items'))) collect(ctx, item, out, depth + 1);
    return;
  }
  const meta = get(file, n, 'metadata');
  const nameNode = get(file, meta, 'name');
  const name = text(file, nameNode) ?? text(file, get(file, meta, 'generateName')) ?? `(unnamed ${kind})`;
  out.push({
    kind,
    name,
    namespace: text(file, get(file, meta, 'namespace')) ?? 'default',
    node: n,
    nameRange: file.rangeOf(nameNode ?? (pairOf(file, n, 'kind')?.value as Node)),
  });
}

function tableFor(ctx: Ctx, kind: string): Table {
  let t = ctx.tables.get(kind);
  if (!t) ctx.tables.set(kind, (t = { name: kind, family: 'both', range: ctx.file.range(0, 0), chains: [] }));
  return t;
}

function chainFor(ctx: Ctx, r: Resource, published: boolean): Chain {
  const chain = resourceChain(r.kind, r.name, `${r.kind} ${r.name}`, r.nameRange, published);
  tableFor(ctx, r.kind).chains.push(chain);
  return chain;
}

function labelsOf(file: YamlFile, node: unknown): Labels {
  const out: Labels = new Map();
  const m = file.deref(node);
  if (isMap(m))
    for (const p of mergedItems(file, m)) {
      const k = text(file, p.key);
      const v = text(file, p.value);
      if (k !== undefined) out.set(k, v ?? '');
    }
  return out;
}

function selectorOf(file: YamlFile, node: unknown): Selector {
  const n = file.deref(node);
  if (!isMap(n)) return EVERYTHING;
  const expressions = items(file, get(file, n, 'matchExpressions')).map((e) => ({
    key: text(file, get(file, e, 'key')) ?? '',
    operator: text(file, get(file, e, 'operator')) ?? '',
    values: items(file, get(file, e, 'values')).map((v) => text(file, v) ?? ''),
  }));
  return { labels: labelsOf(file, get(file, n, 'matchLabels')), expressions };
}

function portNumber(ctx: Ctx, s: Scalar | undefined, what: string): number | undefined {
  if (!s) return undefined;
  const v = typeof s.value === 'number' ? s.value : /^\d+$/.test(String(s.value)) ? Number(s.value) : NaN;
  if (!Number.isInteger(v) || v < 1 || v > 65535) {
    ctx.problems.push({
      code: 'PC002',
      severity: 'error',
      range: ctx.file.rangeOf(s),
      message: `${what} \`${String(s.value)}\` is not a port: ports are 1–65535.`,
    });
    return undefined;
  }
  return v;
}

function item(ctx: Ctx, s: Scalar, lo: number, hi = lo): PortItem {
  return { text: String(s.value), range: ctx.file.rangeOf(s), lo, hi };
}

function protocolOf(ctx: Ctx, node: unknown): string {
  return (text(ctx.file, get(ctx.file, node, 'protocol')) ?? 'TCP').toLowerCase();
}

function podSpecOf(file: YamlFile, r: Resource): { spec: Node | undefined; labels: Labels } {
  const spec = get(file, r.node, 'spec');
  if (r.kind === 'Pod') return { spec, labels: labelsOf(file, get(file, get(file, r.node, 'metadata'), 'labels')) };
  const template =
    r.kind === 'CronJob' ? get(file, get(file, get(file, spec, 'jobTemplate'), 'spec'), 'template') : get(file, spec, 'template');
  return { spec: get(file, template, 'spec'), labels: labelsOf(file, get(file, get(file, template, 'metadata'), 'labels')) };
}

function containers(file: YamlFile, spec: Node | undefined): Node[] {
  return [...items(file, get(file, spec, 'containers')), ...items(file, get(file, spec, 'initContainers'))];
}

function workload(ctx: Ctx, r: Resource): PodTemplate {
  const { file } = ctx;
  const { spec, labels } = podSpecOf(file, r);
  const chain = chainFor(ctx, r, true);
  const hostNet = get(file, spec, 'hostNetwork');
  const onHost = scalar(file, hostNet)?.value === true;
  if (onHost) chain.hostNetwork = file.rangeOf(pairOf(file, spec, 'hostNetwork'));
  for (const c of containers(file, spec)) {
    for (const p of items(file, get(file, c, 'ports'))) {
      const cpNode = scalar(file, get(file, p, 'containerPort'));
      const hpNode = scalar(file, get(file, p, 'hostPort'));
      const cp = portNumber(ctx, cpNode, 'containerPort');
      const hp = portNumber(ctx, hpNode, 'hostPort');
      const protocol = protocolOf(ctx, p);
      const ipNode = scalar(file, get(file, p, 'hostIP'));
      const ipText = ipNode ? String(ipNode.value) : undefined;
      // 0.0.0.0 and :: are "every address", the same as no hostIP.
      const bound = ipText && ipText !== '0.0.0.0' && ipText !== '::' ? AddressSet.parse(ipText) : undefined;
      if (ipNode && ipText !== '0.0.0.0' && ipText !== '::' && !bound)
        ctx.problems.push({
          code: 'PC007',
          severity: 'error',
          range: file.rangeOf(ipNode),
          message: `hostIP \`${ipText}\` is not an IP address.`,
        });
      const boundPart = bound && ipNode ? { bound, boundRange: file.rangeOf(ipNode) } : {};
      const target = cp !== undefined ? `${cp}/${protocol}` : undefined;
      // With hostNetwork the container port is the node's port (hostPort, if given, must equal it).
      const published = (hp !== undefined && hpNode) || (onHost && cp !== undefined && cpNode);
      if (published) {
        const s = (hp !== undefined ? hpNode : cpNode)!;
        const port = (hp ?? cp)!;
        const rule = listenerRule(chain, ctx.nextId++, {
          range: file.rangeOf(p),
          protocol,
          items: [item(ctx, s, port)],
          listener: {
            ...boundPart,
            published: true,
            via: hp !== undefined ? 'hostPort (on every node running the pod)' : 'container port on the node (hostNetwork)',
            ...(target ? { target } : {}),
            ...(hp !== undefined ? { role: 'host-port' as const } : {}),
          },
        });
        if (hp !== undefined && hpNode) editAnchors.set(rule, { hostPortLine: file.rangeOf(hpNode).start.line });
      } else if (cp !== undefined && cpNode) {
        listenerRule(chain, ctx.nextId++, {
          range: file.rangeOf(p),
          protocol,
          items: [item(ctx, cpNode, cp)],
          listener: { published: false, via: 'containerPort (pod network only)' },
        });
      }
    }
  }
  return { res: r, labels, spec, chain };
}

/** Container ports of the pods a selector picks. */
function podPorts(file: YamlFile, pods: PodTemplate[], namespace: string, sel: Selector): { port: number; protocol: string }[] {
  const out = new Map<string, { port: number; protocol: string }>();
  for (const p of pods) {
    if (p.res.namespace !== namespace || !matches(sel, p.labels)) continue;
    for (const c of containers(file, p.spec)) {
      for (const port of items(file, get(file, c, 'ports'))) {
        const v = scalar(file, get(file, port, 'containerPort'))?.value;
        const protocol = (text(file, get(file, port, 'protocol')) ?? 'TCP').toLowerCase();
        if (typeof v === 'number') out.set(`${v}/${protocol}`, { port: v, protocol });
      }
    }
  }
  return [...out.values()];
}

/** Named container ports of the pods a selector picks, for named targetPorts and NetworkPolicy ports. */
function namedPort(file: YamlFile, pods: PodTemplate[], namespace: string, sel: Selector, name: string): number | undefined {
  for (const p of pods) {
    if (p.res.namespace !== namespace || !matches(sel, p.labels)) continue;
    for (const c of containers(file, p.spec)) {
      for (const port of items(file, get(file, c, 'ports'))) {
        if (text(file, get(file, port, 'name')) === name) {
          const v = scalar(file, get(file, port, 'containerPort'))?.value;
          if (typeof v === 'number') return v;
        }
      }
    }
  }
  return undefined;
}

function service(ctx: Ctx, r: Resource, pods: PodTemplate[]): void {
  const { file } = ctx;
  const spec = get(file, r.node, 'spec');
  const typePair = pairOf(file, spec, 'type');
  const type = text(file, typePair?.value) ?? 'ClusterIP';
  const nodePorts =
    type === 'NodePort' || (type === 'LoadBalancer' && scalar(file, get(file, spec, 'allocateLoadBalancerNodePorts'))?.value !== false);
  const chain = chainFor(ctx, r, type === 'NodePort' || type === 'LoadBalancer' || !!get(file, spec, 'externalIPs'));
  const selector: Selector = { labels: labelsOf(file, get(file, spec, 'selector')), expressions: [] };
  const rangesPair = pairOf(file, spec, 'loadBalancerSourceRanges');
  let lbSources: { set: AddressSet; range: Range } | undefined;
  if (rangesPair) {
    let set = AddressSet.NONE;
    for (const c of items(file, rangesPair.value)) {
      const t = text(file, c);
      const a = t ? AddressSet.parse(t.trim()) : undefined;
      if (!a)
        ctx.problems.push({
          code: 'PC007',
          severity: 'error',
          range: file.rangeOf(c),
          message: `loadBalancerSourceRanges entry \`${t ?? ''}\` is not a CIDR.`,
        });
      else set = set.union(a);
    }
    lbSources = { set, range: file.rangeOf(rangesPair.key as Node) };
  }
  const externalIPs = items(file, get(file, spec, 'externalIPs')).map((n) => ({ n, a: AddressSet.parse(text(file, n) ?? '') }));
  for (const [i, e] of externalIPs.entries())
    if (!e.a)
      ctx.problems.push({
        code: 'PC007',
        severity: 'error',
        range: file.rangeOf(externalIPs[i].n),
        message: `externalIPs entry \`${text(file, e.n) ?? ''}\` is not an IP address.`,
      });
  const external = externalIPs.reduce((s, e) => (e.a ? s.union(e.a) : s), AddressSet.NONE);
  const specKey = file.rangeOf(typePair?.key as Node);
  for (const p of items(file, get(file, spec, 'ports'))) {
    const protocol = protocolOf(ctx, p);
    const portNode = scalar(file, get(file, p, 'port'));
    const port = portNumber(ctx, portNode, 'port');
    if (port === undefined || !portNode) continue;
    const tp = scalar(file, get(file, p, 'targetPort'));
    let target = `${port}/${protocol}`;
    if (tp && typeof tp.value === 'number') target = `${tp.value}/${protocol}`;
    else if (tp) {
      const resolved = namedPort(file, pods, r.namespace, selector, String(tp.value));
      target =
        resolved !== undefined ? `${String(tp.value)} (${resolved}/${protocol})` : `${String(tp.value)} (named port of the selected pods)`;
    }
    const range = file.rangeOf(p);
    const base = { target };
    if (!chain.hook) {
      listenerRule(chain, ctx.nextId++, {
        range,
        protocol,
        items: [item(ctx, portNode, port)],
        listener: { ...base, published: false, via: `${type} (inside the cluster only)` },
      });
      continue;
    }
    if (type === 'LoadBalancer') {
      const rule = listenerRule(chain, ctx.nextId++, {
        range,
        protocol,
        items: [item(ctx, portNode, port)],
        ...(lbSources ? { sources: lbSources } : {}),
        listener: { ...base, published: true, via: 'load balancer', role: 'load-balancer' },
      });
      editAnchors.set(rule, { specKey });
    }
    if (nodePorts) {
      const np = scalar(file, get(file, p, 'nodePort'));
      const n = portNumber(ctx, np, 'nodePort');
      if (n !== undefined && np)
        listenerRule(chain, ctx.nextId++, {
          range,
          protocol,
          items: [item(ctx, np, n)],
          listener: { ...base, published: true, via: 'node port (on every node)' },
        });
      else if (!np) {
        listenerRule(chain, ctx.nextId++, {
          range,
          protocol,
          items: [{ ...item(ctx, portNode, NODE_PORTS[0], NODE_PORTS[1]) }],
          listener: { ...base, published: true, via: 'node port (allocated by the cluster, on every node)', anyHostPort: true },
        });
      }
    }
    if (!external.isEmpty())
      listenerRule(chain, ctx.nextId++, {
        range,
        protocol,
        items: [item(ctx, portNode, port)],
        listener: { ...base, bound: external, published: true, via: 'external IP' },
      });
  }
}

interface Policy {
  namespace: string;
  selector: Selector;
  ingress: boolean;
}

/** A NetworkPolicy's ingress allows as accept rules; the chain has no policy, so what it does not allow stays closed. */
function networkPolicy(ctx: Ctx, r: Resource, pods: PodTemplate[]): Policy {
  const { file } = ctx;
  const spec = get(file, r.node, 'spec');
  const selector = selectorOf(file, get(file, spec, 'podSelector'));
  const types = items(file, get(file, spec, 'policyTypes')).map((t) => text(file, t));
  const ingressNode = get(file, spec, 'ingress');
  // Without policyTypes, a policy is an ingress policy (plus egress when it has egress rules).
  const ingress = !!spec && (types.length ? types.includes('Ingress') : true);
  const chain = resourceChain('NetworkPolicy', r.name, `NetworkPolicy ${r.name} (pods ${describeSelector(selector)})`, r.nameRange, false);
  tableFor(ctx, 'NetworkPolicy').chains.push(chain);
  if (!ingress) return { namespace: r.namespace, selector, ingress };
  chain.hook = 'forward';
  for (const rule of items(file, ingressNode)) {
    const fromPair = pairOf(file, rule, 'from');
    const peers = fromPair ? items(file, fromPair.value) : [];
    const portsPair = pairOf(file, rule, 'ports');
    const ports = portsPair ? items(file, portsPair.value) : [];
    // One list of conditions per peer; the rule allows the union of its peers.
    const sourceConds: Condition[][] = [];
    if (!fromPair || !peers.length) sourceConds.push([]);
    for (const peer of peers) {
      const block = get(file, peer, 'ipBlock');
      if (block) {
        const cidrNode = scalar(file, get(file, block, 'cidr'));
        let set = cidrNode ? AddressSet.parse(String(cidrNode.value)) : undefined;
        if (!set) {
          ctx.problems.push({
            code: 'PC007',
            severity: 'error',
            range: file.rangeOf(cidrNode ?? block),
            message: `ipBlock cidr \`${String(cidrNode?.value ?? '')}\` is not a CIDR.`,
          });
          continue;
        }
        for (const ex of items(file, get(file, block, 'except'))) {
          const e = AddressSet.parse(text(file, ex) ?? '');
          if (e) set = set.subtract(e);
          else
            ctx.problems.push({
              code: 'PC007',
              severity: 'error',
              range: file.rangeOf(ex),
              message: `ipBlock except \`${text(file, ex) ?? ''}\` is not a CIDR.`,
            });
        }
        sourceConds.push([{ kind: 'source', set, negated: false, range: file.rangeOf(block) }]);
      } else {
        // Pods and namespaces chosen by labels: cluster addresses assigned at run time, assumed private.
        const what = [
          get(file, peer, 'namespaceSelector') && `namespaces ${describeSelector(selectorOf(file, get(file, peer, 'namespaceSelector')))}`,
          get(file, peer, 'podSelector') && `pods ${describeSelector(selectorOf(file, get(file, peer, 'podSelector')))}`,
        ]
          .filter(Boolean)
          .join(', ');
        sourceConds.push([
          { kind: 'source', set: CLUSTER_ADDRESSES, negated: false, range: file.rangeOf(peer) },
          {
            kind: 'opaque',
            text: `sources are ${what || 'pods selected by labels'} (cluster addresses, taken as private ranges)`,
            range: file.rangeOf(peer),
          },
        ]);
      }
    }
    const portConds: { items: PortItem[]; protocol: string; range: Range }[] = [];
    if (!ports.length) {
      // Every port is allowed, but a pod answers only on the ports it listens on: those of the selected pods
      // in this file, or (none in the file) whichever ports they have, approximately.
      const listening = podPorts(file, pods, r.namespace, selector);
      if (listening.length)
        for (const l of listening)
          portConds.push({
            items: [{ text: `${l.port} (containerPort)`, range: file.rangeOf(rule), lo: l.port, hi: l.port }],
            protocol: l.protocol,
            range: file.rangeOf(rule),
          });
      else
        portConds.push({
          items: [{ text: 'all ports', range: file.rangeOf(rule), lo: 0, hi: 65535 }],
          protocol: 'any?listening',
          range: file.rangeOf(rule),
        });
    }
    for (const p of ports) {
      const protocol = protocolOf(ctx, p);
      const portNode = scalar(file, get(file, p, 'port'));
      const endNode = scalar(file, get(file, p, 'endPort'));
      let lo = 0;
      let hi = 65535;
      if (portNode && typeof portNode.value === 'number') {
        lo = hi = portNode.value;
        const end = endNode && portNumber(ctx, endNode, 'endPort');
        if (end !== undefined && end !== 0 && endNode) {
          if (end < lo)
            ctx.problems.push({
              code: 'PC003',
              severity: 'error',
              range: file.rangeOf(endNode),
              message: `endPort ${end} is below port ${lo}: the range covers no port.`,
            });
          hi = end;
        }
      } else if (portNode) {
        const n = namedPort(file, pods, r.namespace, selector, String(portNode.value));
        if (n === undefined) {
          portConds.push({
            items: [{ text: String(portNode.value), range: file.rangeOf(portNode), lo: 0, hi: 65535 }],
            protocol: `${protocol}?named`,
            range: file.rangeOf(p),
          });
          continue;
        }
        lo = hi = n;
      }
      portConds.push({
        items: [{ text: portNode ? String(portNode.value) : 'all ports', range: file.rangeOf(portNode ?? p), lo, hi }],
        protocol,
        range: file.rangeOf(p),
      });
    }
    for (const src of sourceConds) {
      for (const pc of portConds) {
        const [protocol, unknown] = pc.protocol.split('?');
        const conditions: Condition[] = [];
        if (protocol !== 'any') conditions.push({ kind: 'protocol', protocols: [protocol], negated: false, range: pc.range });
        if (!unknown) conditions.push({ kind: 'dport', set: portSet(pc.items), negated: false, range: pc.range, items: pc.items });
        else if (unknown === 'named')
          conditions.push({ kind: 'opaque', text: `named port ${pc.items[0].text} (no pod in this file names it)`, range: pc.range });
        else conditions.push({ kind: 'opaque', text: 'the ports the selected pods listen on (no such pod in this file)', range: pc.range });
        conditions.push(...src);
        const range = src.length ? unionRange(src[0].range, pc.range) : pc.range;
        chain.rules.push({
          id: ctx.nextId++,
          range,
          table: chain.table,
          chain: chain.name,
          family: 'both',
          conditions,
          action: { kind: 'accept', range: file.rangeOf(rule) },
        });
      }
    }
  }
  return { namespace: r.namespace, selector, ingress };
}

function portSet(list: PortItem[]): PortSet {
  return PortSet.fromRanges(list.map((i) => [i.lo, i.hi] as const));
}

function unionRange(a: Range, b: Range): Range {
  const first = a.start.line < b.start.line || (a.start.line === b.start.line && a.start.character <= b.start.character) ? a : b;
  return { start: first.start, end: first === a ? b.end : a.end };
}

function ingress(ctx: Ctx, r: Resource): void {
  const { file } = ctx;
  const spec = get(file, r.node, 'spec');
  const chain = chainFor(ctx, r, true);
  const tls = items(file, get(file, spec, 'tls'));
  const at = pairOf(file, r.node, 'spec') as Pair | undefined;
  const range = file.rangeOf((at?.key as Node) ?? r.node);
  const mk = (port: number, why: string): void => {
    listenerRule(chain, ctx.nextId++, {
      range,
      protocol: 'tcp',
      items: [{ text: String(port), range: r.nameRange, lo: port, hi: port }],
      listener: { published: true, via: `ingress controller (${why})` },
    });
  };
  mk(80, 'HTTP');
  if (tls.length) mk(443, 'HTTPS');
}
