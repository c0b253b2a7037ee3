/**
 * Checks on listening ports that service-port files publish or declare (Rule.listener), and on resources
 * (chains with a label): PC120 datastore on every host address, PC121 host network, PC122 load balancer
 * open to any source, PC123 pods no network policy filters, PC125 hostPort, PC126 risky port declared only.
 * They read the model and the exposure only; which file format said so does not matter.
 */
import type { Transport } from '../knowledge/registry';
import type { Risk } from '../knowledge/risks';
import { CODES } from '../model/codes';
import type { Finding } from '../model/finding';
import type { Condition, Rule } from '../model/ruleset';
import { allChains } from '../model/ruleset';
import type { Check } from './check';
import type { Grant } from './exposure';
import type { ResolvedSettings } from './settings';
import { describeSources } from './reach';
import { worldOf } from './world';

type ServicePort = { port: number; protocol: Transport };

/** Targets read so far ("80/tcp" comes back for every web service of a file); null: the text names no port. */
const targets = new Map<string, ServicePort | null>();

function targetPort(target: string): ServicePort | null {
  let sp = targets.get(target);
  if (sp === undefined) {
    const m = /(\d+)(?:-\d+)?\)?\/?(tcp|udp)?$/.exec(target) ?? /\((\d+)\/(tcp|udp)\)/.exec(target);
    sp = m ? { port: Number(m[1]), protocol: (m[2] ?? 'tcp') as Transport } : null;
    if (targets.size < 4096) targets.set(target, sp);
  }
  return sp;
}

/** The port and protocol of the service behind a listener ("5432/tcp"), or its own port. */
function servicePort(rule: Rule): ServicePort | undefined {
  const sp = targetPort(rule.listener?.target ?? '');
  if (sp) return sp;
  const d = firstDport(rule);
  if (!d?.items.length || d.items[0].lo !== d.items[0].hi) return undefined;
  return { port: d.items[0].lo, protocol: firstProtocol(rule) };
}

type PortTest = Extract<Condition, { kind: 'dport' | 'sport' | 'port' }>;

/** The rule's first destination-port test (a loop, not a find with a function made per rule). */
function firstDport(rule: Rule): PortTest | undefined {
  for (const c of rule.conditions) if (c.kind === 'dport') return c;
  return undefined;
}

/** The first protocol the rule's first protocol test names, TCP when none does. */
function firstProtocol(rule: Rule): Transport {
  for (const c of rule.conditions) if (c.kind === 'protocol') return (c.protocols[0] || 'tcp') as Transport;
  return 'tcp';
}

/** The datastore among a port's risks, if any. */
function datastoreRisk(risks: readonly Risk[]): Risk | undefined {
  for (const r of risks) if (r.datastore) return r;
  return undefined;
}

/** "PHP-FPM FastCGI, …": the services of a port's risks (lists are shared per port), worded once per list. */
const serviceNames = new WeakMap<readonly Risk[], string>();
function namesOf(risks: readonly Risk[]): string {
  let names = serviceNames.get(risks);
  if (names === undefined)
    serviceNames.set(risks, (names = risks.map((r) => r.service.split(' (')[0]).slice(0, 3).join(', ')));
  return names;
}

/**
 * A datastore published on every address of the host, reachable from the internet: PC120 instead of PC101.
 * `world` is the rule's grants that reach from the internet (world.ts).
 */
export function publishedDatastore(rule: Rule, world: Grant[], settings: ResolvedSettings): { risk: Risk; world: Grant[] } | undefined {
  const l = rule.listener;
  // Bound to specific addresses (loopback, one LAN address), or behind a cloud load balancer: not this case.
  if (!world.length || !l?.published || l.role === 'load-balancer' || (l.bound && !(l.bound.isAnyV4() || l.bound.isAnyV6()))) return undefined;
  const sp = servicePort(rule);
  const risk = sp && datastoreRisk(settings.risks.risksInRange(sp.port, sp.port, sp.protocol));
  return risk ? { risk, world } : undefined;
}

const NO_GRANTS: Grant[] = [];

export const listenerChecks: Check = ({ ruleset, exposure, settings }) => {
  const findings: Finding[] = [];
  const worlds = worldOf(exposure, settings.trusted).byRule;
  for (const chain of allChains(ruleset)) {
    if (chain.hostNetwork) {
      findings.push({
        code: 'PC121',
        severity: CODES.PC121.severity,
        range: chain.hostNetwork,
        message: `${chain.label ?? chain.name} shares the host's network stack: every port its processes listen on is a port of the host, on all of its addresses; port mappings do not apply, and network policies do not filter it (in most network plugins). Give it its own network and publish only the ports it needs.`,
      });
    }
    if (chain.filtered === false && chain.rules.some((r) => r.listener)) {
      findings.push({
        code: 'PC123',
        severity: CODES.PC123.severity,
        range: chain.range,
        message: `no network policy in this file selects the pods of ${chain.label ?? chain.name}: they accept connections on every port they listen on from every pod and namespace of the cluster. Add a NetworkPolicy (a default-deny one per namespace, then allows).`,
      });
    }
    for (const rule of chain.rules) {
      const l = rule.listener;
      if (!l) continue;
      const world = worlds.get(rule.id) ?? NO_GRANTS;
      const first = firstDport(rule);
      const token = first?.items[0] ? first.items[0].range : rule.range;
      const ds = publishedDatastore(rule, world, settings);
      if (ds) {
        const g = ds.world[0];
        const both = new Set(ds.world.map((x) => x.family)).size > 1;
        const who = both && g.sources.isAnyV4() ? 'any IPv4 or IPv6 address' : describeSources(g.sources, g.family);
        const approx = ds.world.some((x) => x.approximate)
          ? ` (approximate: depends on ${[...new Set(ds.world.flatMap((x) => x.reasons))].slice(0, 2).join('; ')})`
          : '';
        const service = ds.risk.service.split(' (')[0];
        findings.push({
          code: 'PC120',
          severity: CODES.PC120.severity,
          range: token,
          data: { ruleId: rule.id },
          message: `${service} (${l.target ?? 'its port'}) is published on every address of the host, reachable from ${who} through ${chain.label ?? `chain ${chain.name}`}${approx}. A database is usually meant for the applications beside it: bind it to 127.0.0.1, or do not publish it and let the other containers reach it over their network. ${ds.risk.why}`,
        });
      }
      if (l.role === 'load-balancer' && l.published && world.length) {
        const ports = first ? first.set.toString() : '';
        findings.push({
          code: 'PC122',
          severity: CODES.PC122.severity,
          range: token,
          data: { ruleId: rule.id },
          message: `${chain.label ?? chain.name} is a load balancer that accepts port ${ports} from any address: it has no source ranges. If only some networks need it, list them (loadBalancerSourceRanges).`,
        });
      }
      if (l.role === 'host-port' && l.published) {
        findings.push({
          code: 'PC125',
          severity: CODES.PC125.severity,
          range: token,
          data: { ruleId: rule.id },
          message: `hostPort opens ${first ? first.set.toString() : 'this port'} on every node that runs ${chain.label ?? chain.name}${l.target ? ` (container port ${l.target})` : ''}, next to the node's own services and outside the Service layer. Prefer a Service; keep hostPort for node agents that need it.`,
        });
      }
      if (l.role === 'expose' && first) {
        const protocol = firstProtocol(rule);
        for (const item of first.items) {
          const risks = settings.risks.risksInRange(item.lo, item.hi, protocol);
          if (!risks.length) continue;
          findings.push({
            code: 'PC126',
            severity: CODES.PC126.severity,
            range: item.range,
            data: { ruleId: rule.id },
            message: `${namesOf(risks)} (${protocol.toUpperCase()} ${item.text}) is declared by ${chain.label ?? chain.name} but not published: it is reachable only from its own container network until someone publishes it (ports:, docker run -p or -P). ${risks[0].advice}`,
          });
        }
      }
    }
  }
  return findings;
};
