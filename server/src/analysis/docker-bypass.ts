/**
 * PC301: ports a container runtime publishes bypass the host firewall's INPUT chain (and so ufw).
 *
 * Docker publishes a port with a DNAT rule in nat PREROUTING (its DOCKER chain) and accepts the translated
 * packet in filter FORWARD (DOCKER-USER first, then its own DOCKER chain). The packet never reaches INPUT, so a
 * host file that blocks or restricts the port there does not protect the container. What does restrict it
 * is the DOCKER-USER chain, which sees the packet after translation: its port matches name the container's
 * port. This check combines files of one host (workspace/): it reads the model only, never a format.
 */
import { AddressSet, type Family } from '../model/addresses';
import { PortSet } from '../model/ports';
import type { Finding, RelatedInfo } from '../model/finding';
import type { Chain, Rule, Ruleset } from '../model/ruleset';
import { allChains, allRules } from '../model/ruleset';
import { serviceAt } from '../knowledge/registry';
import { analyseExposure, type ChainExposure, type Exposure, type Grant, type Transport } from './exposure';
import { isLoopback } from './interfaces';
import { describeSources, isWorld } from './reach';
import type { ResolvedSettings } from './settings';

/** One analysed file of a host, as the workspace layer hands it over. */
export interface HostFile {
  path: string;
  ruleset: Ruleset;
  exposure: Exposure;
}

/** The chain Docker leaves to the administrator; evaluated in FORWARD before Docker's own accepts. */
export const DOCKER_USER = 'DOCKER-USER';
const LOOPBACK = AddressSet.parse('127.0.0.0/8')!.union(AddressSet.parse('::1/128')!);
/** Wider published ranges are judged on their first ports only, to keep the check bounded. */
const MAX_PORTS = 256;

/** A file whose ports a container runtime publishes (compose). */
export function isPublisher(rs: Ruleset): boolean {
  return rs.publishedBy === 'docker';
}

/** A host packet filter: some filter chain decides what reaches the host's own sockets. */
export function isHostFirewall(rs: Ruleset): boolean {
  return !rs.publishedBy && allChains(rs).some((c) => c.type === 'filter' && c.hook === 'input');
}

/** How a file takes part in the workspace checks; plain data, so the analysis worker can report it. */
export interface WorkspaceRole {
  publisher: boolean;
  hostFirewall: boolean;
}

export function workspaceRole(rs: Ruleset): WorkspaceRole {
  return { publisher: isPublisher(rs), hostFirewall: isHostFirewall(rs) };
}

/** Findings per publisher path (empty when the host has no firewall file or nothing is bypassed). */
export function dockerBypass(hosts: HostFile[], publishers: HostFile[], settings: ResolvedSettings): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  if (!hosts.length) return out;
  const forward = hosts.flatMap((h) => dockerUserWalk(h));
  for (const pub of publishers) {
    const byRule = new Map<Rule, PublishedReach[]>();
    for (const r of publishedReach(hosts, pub, forward))
      if (bypassed(r, settings.trusted)) byRule.set(r.rule, [...(byRule.get(r.rule) ?? []), r]);
    const findings = [...byRule].map(([rule, list]) => finding(rule, list, hosts, forward));
    if (findings.length) out.set(pub.path, findings);
  }
  return out;
}

interface ForwardWalk {
  host: HostFile;
  chain: Chain;
  exposures: ChainExposure[];
}

/**
 * Walks a host file's DOCKER-USER chain as Docker calls it: first in FORWARD, and whatever it does not drop
 * goes on to Docker's accept. A synthetic FORWARD chain (jump DOCKER-USER, policy accept) lets the ordinary
 * exposure walk do this, with the file's own user chains for DOCKER-USER to jump to.
 */
function dockerUserWalk(host: HostFile): ForwardWalk[] {
  const walks: ForwardWalk[] = [];
  for (const table of host.ruleset.tables) {
    const du = table.chains.find((c) => c.name === DOCKER_USER && !c.hook);
    if (!du) continue;
    const entry: Chain = {
      name: 'FORWARD',
      table: table.name,
      family: du.family,
      hook: 'forward',
      type: 'filter',
      policy: 'accept',
      range: du.range,
      declared: false,
      rules: [],
    };
    entry.rules.push({
      id: -1,
      range: du.range,
      table: table.name,
      chain: entry.name,
      family: du.family,
      conditions: [],
      action: { kind: 'jump', chain: DOCKER_USER, range: du.range },
    });
    const rs: Ruleset = {
      format: host.ruleset.format,
      family: host.ruleset.family,
      problems: [],
      tables: [{ ...table, chains: [entry, ...table.chains.filter((c) => !c.hook)] }],
    };
    walks.push({ host, chain: du, exposures: analyseExposure(rs).chains });
  }
  return walks;
}

/** Sources the grants accept for `port` (non-loopback interfaces only), and whether any is approximate. */
function accepted(grants: Iterable<Grant>, protocol: Transport, port: number): { sources: AddressSet; approximate: boolean } {
  let sources = AddressSet.NONE;
  let approximate = false;
  for (const g of grants) {
    if (g.protocol !== protocol || isLoopback(g.iface) || !g.ports.has(port)) continue;
    sources = sources.union(g.sources);
    approximate ||= g.approximate;
  }
  return { sources, approximate };
}

/** What the host lets through to one published port: through DOCKER-USER (if any), and what INPUT would allow. */
export interface PublishedReach {
  rule: Rule;
  family: Family;
  protocol: Transport;
  port: number;
  /** Sources that reach the container: the published sources, narrowed by DOCKER-USER. */
  sources: AddressSet;
  /** Sources the host's INPUT chains accept for the same port (what the user may think applies). */
  input: AddressSet;
  /** Whether a DOCKER-USER chain took part. */
  dockerUser: boolean;
  approximate: boolean;
}

/** Reach of every port a publisher file publishes, judged against the host's files of the same family. */
export function publishedReach(hosts: HostFile[], pub: HostFile, forward = hosts.flatMap((h) => dockerUserWalk(h))): PublishedReach[] {
  const out: PublishedReach[] = [];
  for (const ce of pub.exposure.chains) {
    const family = ce.family;
    const sameFamily = hosts.filter((h) => h.exposure.chains.some((c) => c.family === family));
    if (!sameFamily.length) continue;
    const input = sameFamily.flatMap((h) =>
      h.exposure.chains.filter((c) => c.family === family && c.chain.hook === 'input').flatMap((c) => c.grants),
    );
    const du = forward.flatMap((w) => w.exposures.filter((e) => e.family === family).flatMap((e) => e.grants));
    const dockerUser = forward.some((w) => w.exposures.some((e) => e.family === family));
    for (const g of ce.grants) {
      if (!g.rule || isLoopback(g.iface) || LOOPBACK.covers(g.sources)) continue;
      let n = 0;
      for (const [lo, hi] of g.ports.ranges()) {
        for (let port = lo; port <= hi && n < MAX_PORTS; port++, n++) {
          const through = dockerUser
            ? accepted(du, g.protocol, containerPort(g.rule, port))
            : { sources: AddressSet.any(family), approximate: false };
          const inp = accepted(input, g.protocol, port);
          out.push({
            rule: g.rule,
            family,
            protocol: g.protocol,
            port,
            sources: g.sources.intersect(through.sources),
            input: inp.sources,
            dockerUser,
            approximate: through.approximate || g.approximate,
          });
        }
      }
    }
  }
  return out;
}

function bypassed(r: PublishedReach, trusted: AddressSet): boolean {
  const reach = r.sources.subtract(trusted);
  if (reach.subtract(r.input).isEmpty()) return false;
  // A DOCKER-USER chain that narrows the port to chosen networks is the administrator's answer to the bypass.
  return !r.dockerUser || (isWorld(reach, r.family) && !isWorld(r.input, r.family));
}

function finding(rule: Rule, list: PublishedReach[], hosts: HostFile[], forward: ForwardWalk[]): Finding {
  const first = list[0];
  const ports = PortSet.fromRanges(list.filter((b) => b.protocol === first.protocol).map((b) => [b.port, b.port] as const));
  const portText =
    ports
      .ranges()
      .slice(0, 4)
      .map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`))
      .join(',') + (ports.ranges().length > 4 ? ',…' : '');
  const name = ports.size() === 1 ? serviceAt(first.port, first.protocol)?.name : undefined;
  const sameFamily = hosts.filter((h) => h.exposure.chains.some((c) => c.family === first.family));
  const blocker = blockingRule(sameFamily, first.protocol, first.port);
  const hostName = blocker ? base(blocker.path) : sameFamily.map((h) => base(h.path)).join(', ');
  const what = `${first.protocol.toUpperCase()} ${portText}${name ? ` (${name})` : ''}, published by ${rule.chain}`;
  const inputSays = first.input.isEmpty()
    ? 'the host firewall blocks it'
    : `the host firewall allows it only from ${describeSources(first.input, first.family)}`;
  const duWalks = forward.filter((w) => w.exposures.some((e) => e.family === first.family));
  const du = duWalks.length ? ` ${DOCKER_USER} (${duWalks.map((w) => base(w.host.path)).join(', ')}) does not stop these sources.` : '';
  const approx = list.some((r) => r.approximate) ? ' (approximate: a rule the analysis cannot decide may narrow this)' : '';
  const related: RelatedInfo[] = [];
  if (blocker)
    related.push({
      path: blocker.path,
      range: blocker.range,
      message: `the host's INPUT rule, which Docker-published ${portText}/${first.protocol} never reaches`,
    });
  for (const w of duWalks)
    related.push({
      path: w.host.path,
      range: w.chain.range,
      message: `${DOCKER_USER} chain: where Docker-published ports can be restricted`,
    });
  return {
    code: 'PC301',
    severity: 'warning',
    range: portRange(rule, first.port),
    related,
    data: { ruleId: rule.id, port: first.port, protocol: first.protocol },
    message:
      `${what}, is reachable from ${describeSources(first.sources, first.family)}${approx} although ${inputSays} (${hostName}): Docker ` +
      `forwards published ports with DNAT in nat PREROUTING and accepts them in FORWARD (its DOCKER chain), so INPUT and ufw rules ` +
      `never see them.${du} Bind the port to 127.0.0.1 if only the host needs it, or restrict it in the ${DOCKER_USER} chain ` +
      `(matching the container's port, or the published one with -m conntrack --ctorigdstport).`,
  };
}

/**
 * The container port a published port is forwarded to: the listener's target ("5432/tcp", "6000-6010/tcp"),
 * ranges mapped in order; the published port itself when the file does not say.
 */
function containerPort(rule: Rule, port: number): number {
  const m = /^(\d+)(?:-(\d+))?/.exec(rule.listener?.target ?? '');
  if (!m) return port;
  if (m[2] === undefined) return Number(m[1]);
  const from = rule.conditions.flatMap((c) => (c.kind === 'dport' && !c.negated ? c.set.ranges() : []))[0];
  return from ? Number(m[1]) + (port - from[0]) : port;
}

/** The host file's INPUT-side rule that drops or rejects the port, for the related location. */
function blockingRule(hosts: HostFile[], protocol: Transport, port: number): { path: string; range: Rule['range'] } | undefined {
  for (const h of hosts) {
    for (const r of allRules(h.ruleset)) {
      if (r.action.kind !== 'drop' && r.action.kind !== 'reject') continue;
      const protos = r.conditions.flatMap((c) => (c.kind === 'protocol' && !c.negated ? c.protocols : []));
      if (protos.length && !protos.includes(protocol)) continue;
      if (r.conditions.some((c) => c.kind === 'dport' && !c.negated && c.set.has(port))) return { path: h.path, range: r.range };
    }
  }
  return undefined;
}

function portRange(rule: Rule, port: number): Rule['range'] {
  for (const c of rule.conditions) if (c.kind === 'dport') for (const i of c.items) if (i.lo <= port && port <= i.hi) return i.range;
  return rule.range;
}

function base(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
}
