/**
 * Kubernetes manifests → model, one chain per resource (table = kind, chain = metadata.name):
 * - Service: NodePort ports on every node, LoadBalancer ports from loadBalancerSourceRanges (or anywhere),
 *   externalIPs as bound addresses; ClusterIP ports are recorded as declared only (cluster-internal).
 * - Pod and pod templates: hostPort (+ hostIP) published on the node; hostNetwork puts every containerPort there.
 * - NetworkPolicy: a forward chain of what its ingress rules allow to the pods it selects.
 * - Ingress: TCP 80 (and 443 with TLS) on the ingress controller.
 * Syntax and Kubernetes semantics only; what is risky is decided by analysis.
 */
import type { Node, Pair, Scalar } from '../yaml/document';
import { AddressSet } from '../../model/addresses';
import { PortSet } from '../../model/ports';
import type { Finding } from '../../model/finding';
import type { Range } from '../../model/range';
import type { Chain, Condition, PortItem, Rule, Ruleset, Table } from '../../model/ruleset';
import type { ParseContext } from '../format';
import { listenerRule, resourceChain } from '../listener';
import { get, isMap, items, mergedItems, pairOf, readingProblems, scalar, text, type YamlFile } from '../yaml/document';
import { looksLikeKubernetes } from './claims';
import { parsedManifest } from './manifest-cache';
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
  /** The file the pod is written in (this one, or another manifest of the folder). */
  file: YamlFile;
  res: Resource;
  labels: Labels;
  spec: Node | undefined;
  chain: Chain;
}

interface Ctx {
  file: YamlFile;
  /** The file name when the manifest is another file of the folder. */
  name?: string;
  problems: Finding[];
  nextId: number;
  tables: Map<string, Table>;
  resources: Resource[];
}

/** Other manifests of a folder read for pods and policies: at most this many files and characters. */
const MAX_FOLDER_FILES = 64;
const MAX_FOLDER_BYTES = 4 * 1024 * 1024;

export function parseKubernetes(source: string, pc: ParseContext): Ruleset {
  const ctx = manifest(parsedManifest(pc.path, source));
  // The folder's other manifests: their pods and policies take part here; their own rules and problems stay theirs.
  const folder = folderManifests(pc);
  const pods: PodTemplate[] = [];
  for (const m of [ctx, ...folder]) for (const r of m.resources) if (WORKLOAD_KINDS.includes(r.kind)) pods.push(workload(m, r));
  const own = pods.filter((p) => p.file === ctx.file);
  const policies = [ctx, ...folder].flatMap((m) =>
    m.resources.filter((r) => r.kind === 'NetworkPolicy').map((r) => networkPolicy(m, r, pods)),
  );
  for (const p of own) {
    // A pod that no ingress policy selects accepts traffic from every pod and namespace.
    p.chain.filtered = policies.some((pol) => pol.ingress && pol.namespace === p.res.namespace && matches(pol.selector, p.labels));
    narrowHostPorts(p, policies);
  }
  for (const r of ctx.resources) {
    if (r.kind === 'Service') service(ctx, r, pods, policies);
    else if (r.kind === 'Ingress') ingress(ctx, r);
  }
  return { format: 'kubernetes', family: 'both', tables: [...ctx.tables.values()], problems: [...ctx.problems, ...readingProblems(ctx.file)] };
}

function manifest(file: YamlFile, name?: string): Ctx {
  const ctx: Ctx = { file, name, problems: [...file.problems], nextId: 0, tables: new Map(), resources: [] };
  for (const doc of file.docs) collect(ctx, doc.contents as Node | null, ctx.resources, 0);
  return ctx;
}

/** Other manifests in the file's folder (YAML or JSON naming pods or policies), within a budget. */
function folderManifests(pc: ParseContext): Ctx[] {
  const out: Ctx[] = [];
  let bytes = 0;
  // The folder as the file's path writes it (keys of the manifest cache).
  const dir = (pc.path ?? '').slice(0, Math.max((pc.path ?? '').lastIndexOf('/'), (pc.path ?? '').lastIndexOf('\\')) + 1);
  for (const name of pc.listBeside?.() ?? []) {
    if (!/\.(ya?ml|json)$/i.test(name) || out.length >= MAX_FOLDER_FILES) continue;
    const text = pc.readBeside?.(name);
    if (text === undefined || !looksLikeKubernetes(text) || (bytes += text.length) > MAX_FOLDER_BYTES) continue;
    const m = manifest(parsedManifest(pc.path === undefined ? undefined : dir + name, text), name);
    if (m.resources.some((r) => WORKLOAD_KINDS.includes(r.kind) || r.kind === 'NetworkPolicy')) out.push(m);
  }
  return out;
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
  return { file, res: r, labels, spec, chain };
}

/** Container ports of the pods a selector picks. */
function podPorts(pods: PodTemplate[], namespace: string, sel: Selector): { port: number; protocol: string; file: YamlFile }[] {
  const out = new Map<string, { port: number; protocol: string; file: YamlFile }>();
  for (const p of pods) {
    if (p.res.namespace !== namespace || !matches(sel, p.labels)) continue;
    const { file } = p;
    for (const c of containers(file, p.spec)) {
      for (const port of items(file, get(file, c, 'ports'))) {
        const v = scalar(file, get(file, port, 'containerPort'))?.value;
        const protocol = (text(file, get(file, port, 'protocol')) ?? 'TCP').toLowerCase();
        const key = `${v}/${protocol}`;
        // A pod of this file wins over one elsewhere in the folder: the link is then certain.
        if (typeof v === 'number' && (!out.has(key) || file === out.get(key)!.file)) out.set(key, { port: v, protocol, file });
      }
    }
  }
  return [...out.values()];
}

/** Named container ports of the pods a selector picks, for named targetPorts and NetworkPolicy ports. */
function namedPort(pods: PodTemplate[], namespace: string, sel: Selector, name: string): number | undefined {
  for (const p of pods) {
    if (p.res.namespace !== namespace || !matches(sel, p.labels)) continue;
    const { file } = p;
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

function service(ctx: Ctx, r: Resource, pods: PodTemplate[], policies: Policy[]): void {
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
  const selected = pods.filter((p) => p.res.namespace === r.namespace && selector.labels.size && matches(selector, p.labels));
  // With the default Cluster policy, kube-proxy masquerades outside clients: policies see a node address.
  const keepsClient = text(file, get(file, spec, 'externalTrafficPolicy')) === 'Local';
  for (const p of items(file, get(file, spec, 'ports'))) {
    const first = chain.rules.length;
    const protocol = protocolOf(ctx, p);
    const portNode = scalar(file, get(file, p, 'port'));
    const port = portNumber(ctx, portNode, 'port');
    if (port === undefined || !portNode) continue;
    const tp = scalar(file, get(file, p, 'targetPort'));
    let target = `${port}/${protocol}`;
    if (tp && typeof tp.value === 'number') target = `${tp.value}/${protocol}`;
    else if (tp) {
      const resolved = namedPort(pods, r.namespace, selector, String(tp.value));
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
    const targetOf = (pod: PodTemplate): number | undefined =>
      !tp ? port : typeof tp.value === 'number' ? tp.value : namedPort([pod], r.namespace, EVERYTHING, String(tp.value));
    const a = admittedToAll(selected, policies, targetOf, protocol);
    // Narrowed only where the policies see the client (Local), or where they admit no one at all.
    if (a && (keepsClient || a.set.isEmpty()))
      for (const rule of chain.rules.slice(first)) if (rule.action.kind === 'accept') narrow(rule, a, 'the pods this Service selects');
  }
}

/** What the NetworkPolicies selecting a pod admit to one of its ports. */
interface Admitted {
  set: AddressSet;
  /** Policy names, for the reason the narrowing gives. */
  names: string[];
}

/**
 * Sources the ingress policies that select `pod` admit to `port` (their union); undefined when no ingress policy
 * selects the pod (it is not isolated: every source may connect). Peers chosen by labels count as the cluster's
 * private ranges, as in the policy's own rules.
 */
function admitted(pod: PodTemplate, policies: Policy[], port: number, protocol: string): Admitted | undefined {
  let set = AddressSet.NONE;
  const names: string[] = [];
  for (const pol of policies) {
    if (!pol.ingress || pol.namespace !== pod.res.namespace || !matches(pol.selector, pod.labels)) continue;
    names.push(pol.name);
    for (const a of pol.admits)
      if ((!a.protocol || a.protocol === protocol) && (!a.ports || a.ports.has(port))) set = set.union(a.sources);
  }
  return names.length ? { set, names } : undefined;
}

/** Union over the pods behind a Service; undefined when some pod is not isolated, or no pod of the folder is selected. */
function admittedToAll(
  pods: PodTemplate[],
  policies: Policy[],
  portOf: (p: PodTemplate) => number | undefined,
  protocol: string,
): Admitted | undefined {
  if (!pods.length) return undefined;
  let set = AddressSet.NONE;
  const names = new Set<string>();
  for (const pod of pods) {
    const port = portOf(pod);
    const a = port === undefined ? undefined : admitted(pod, policies, port, protocol);
    if (!a) return undefined;
    set = set.union(a.set);
    for (const n of a.names) names.add(n);
  }
  return { set, names: [...names] };
}

/**
 * Narrows a published rule to what the policies admit. It assumes the network plugin enforces NetworkPolicies
 * (most do; some, like flannel alone, do not), so the rule is marked approximate with that reason.
 */
function narrow(rule: Rule, a: Admitted, pods: string): void {
  rule.conditions.push({ kind: 'source', set: a.set, negated: false, range: rule.range });
  const who = a.names.length > 1 ? `NetworkPolicies ${a.names.join(', ')} admit` : `NetworkPolicy ${a.names[0]} admits`;
  const what = a.set.isEmpty() ? 'no source to this port of' : 'only these sources to';
  rule.conditions.push({ kind: 'opaque', text: `${who} ${what} ${pods} (if the network plugin enforces NetworkPolicies)`, range: rule.range });
}

/** hostPort traffic keeps the client's address (the CNI portmap plugin DNATs it), so the pod's policies apply to it. */
function narrowHostPorts(pod: PodTemplate, policies: Policy[]): void {
  for (const rule of pod.chain.rules) {
    if (rule.listener?.role !== 'host-port' || rule.action.kind !== 'accept') continue;
    const m = /^(\d+)\/(\w+)$/.exec(rule.listener.target ?? '');
    const a = m ? admitted(pod, policies, Number(m[1]), m[2]) : undefined;
    if (a) narrow(rule, a, 'this pod');
  }
}

interface Policy {
  /** How messages name it: its name, and its file when that is another one. */
  name: string;
  namespace: string;
  selector: Selector;
  ingress: boolean;
  chain: Chain;
  /** What its ingress rules admit, as Kubernetes reads them: no `ports` = every port (and protocol). */
  admits: { sources: AddressSet; protocol?: string; ports?: PortSet }[];
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
  const name = ctx.name ? `${r.name} (${ctx.name})` : r.name;
  const policy: Policy = { name, namespace: r.namespace, selector, ingress, chain, admits: [] };
  if (!ingress) return policy;
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
    // `elsewhere`: the port comes from a pod in another manifest of the folder, linked by labels alone.
    const portConds: { items: PortItem[]; protocol: string; range: Range; elsewhere?: boolean }[] = [];
    if (!ports.length) {
      // Every port is allowed, but a pod answers only on the ports it listens on: those of the selected pods
      // in this file, or (none in the file) whichever ports they have, approximately.
      const listening = podPorts(pods, r.namespace, selector);
      if (listening.length)
        for (const l of listening)
          portConds.push({
            items: [{ text: `${l.port} (containerPort)`, range: file.rangeOf(rule), lo: l.port, hi: l.port }],
            protocol: l.protocol,
            range: file.rangeOf(rule),
            elsewhere: l.file !== file,
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
        const n = namedPort(pods, r.namespace, selector, String(portNode.value));
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
      const sources = src.reduce((s, c) => (c.kind === 'source' ? s.intersect(c.set) : s), AddressSet.ANY);
      if (!ports.length) policy.admits.push({ sources });
      for (const pc of portConds) {
        const [proto, open] = pc.protocol.split('?');
        // A named port no pod of the folder defines may be any port: admitted, as an upper bound.
        if (ports.length) policy.admits.push({ sources, protocol: proto, ...(open ? {} : { ports: portSet(pc.items) }) });
        const [protocol, unknown] = pc.protocol.split('?');
        const conditions: Condition[] = [];
        if (protocol !== 'any') conditions.push({ kind: 'protocol', protocols: [protocol], negated: false, range: pc.range });
        if (!unknown) conditions.push({ kind: 'dport', set: portSet(pc.items), negated: false, range: pc.range, items: pc.items });
        else if (unknown === 'named')
          conditions.push({ kind: 'opaque', text: `named port ${pc.items[0].text} (no pod in this folder names it)`, range: pc.range });
        else conditions.push({ kind: 'opaque', text: 'the ports the selected pods listen on (no such pod in this folder)', range: pc.range });
        // Another manifest's pod may belong to another application that shares the labels: not certain.
        if (pc.elsewhere)
          conditions.push({ kind: 'opaque', text: 'a port of pods in another manifest of this folder, if they are the pods meant', range: pc.range });
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
  return policy;
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
