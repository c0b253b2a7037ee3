/** Hover: what a port or service is, why it is risky, and what this rule does with it. */
import type { Transport } from '../knowledge/registry';
import { describeGrantSources, ifaceNote } from '../analysis/reach';
import type { ResolvedSettings } from '../analysis/settings';
import { servicesAt } from '../knowledge/registry';
import type { Position, Range } from '../model/range';
import type { Risk } from '../knowledge/risks';
import { PortSet } from '../model/ports';
import type { Chain, Rule } from '../model/ruleset';
import { allChains, chainLabel } from '../model/ruleset';
import type { FileAnalysis } from '../pipeline';
import { findChainByName, nodeAt, type PortUse } from './locate';
import type { Grant } from '../analysis/exposure';
import { isLoopbackSet } from '../model/loopback';

export interface HoverResult {
  range: Range;
  markdown: string;
}

const TARGETS: Record<string, string> = {
  accept: 'lets the packet through; evaluation stops.',
  drop: 'discards the packet silently; the sender sees a timeout, so scanners report the port as *filtered*.',
  reject:
    'discards the packet and answers with an error (TCP reset or ICMP unreachable), so scanners report the port as *closed* (or *filtered* for ICMP admin-prohibited).',
  return: 'goes back to the calling chain; in a built-in chain, the chain policy decides.',
};

export function hoverAt(fa: FileAnalysis, pos: Position, settings: ResolvedSettings): HoverResult | undefined {
  const node = nodeAt(fa.ruleset, pos);
  if (!node) return undefined;
  switch (node.kind) {
    case 'port':
      return { range: node.range, markdown: portHover(fa, node.uses, node.range, settings) };
    case 'chain':
    case 'chainRef':
      return { range: node.range, markdown: chainHover(fa, node.chain) };
    case 'target':
      return { range: node.range, markdown: targetHover(fa, node.rule) };
    case 'rule': {
      // A verdict map or concatenated set is modelled as one rule per element, all sharing the line's range.
      const same = allChains(fa.ruleset)
        .find((c) => c.rules.includes(node.rule))!
        .rules.filter((r) => r.range === node.rule.range || sameRange(r.range, node.rule.range));
      if (same.length < 2) return undefined;
      return {
        range: node.range,
        markdown: `**One lookup, ${same.length} elements** — this rule looks the packet up in a verdict map or a set of concatenated keys; the element its key matches decides (its verdict applies here, as if each element were a rule of its own). A packet matching no element goes on to the next rule.`,
      };
    }
    default:
      return undefined;
  }
}

function chainHover(fa: FileAnalysis, c: Chain): string {
  const callers = allChains(fa.ruleset).flatMap((x) =>
    x.rules
      .filter((r) => (r.action.kind === 'jump' || r.action.kind === 'goto') && r.action.chain === c.name && r.table === c.table)
      .map((r) => `${x.name} (line ${r.range.start.line + 1})`),
  );
  const lines = [
    `**chain ${c.name}** — table \`${c.table}\`${c.hook ? `, hooked to ${c.hook}` : ', user chain'}`,
    c.policy ? `Default policy: **${c.policy.toUpperCase()}**` : c.hook ? 'Default policy: not set in this file' : '',
    `${c.rules.length} rule${c.rules.length === 1 ? '' : 's'}${c.declared ? `, declared on line ${c.range.start.line + 1}` : ''}`,
    callers.length
      ? `Jumped to from: ${callers.slice(0, 8).join(', ')}${callers.length > 8 ? ` and ${callers.length - 8} more` : ''}`
      : c.hook
        ? ''
        : 'Nothing jumps to this chain.',
  ];
  return lines.filter(Boolean).join('\n\n');
}

const transports = (protocols: string[]) =>
  (protocols.length ? protocols : ['tcp', 'udp']).filter((p) => p === 'tcp' || p === 'udp' || p === 'sctp' || p === 'dccp');
const portText = (lo: number, hi: number) => (lo === hi ? `${lo}` : `${lo}–${hi}`);

/** "www.cisa.gov: smb-security-best-practices": two references on one host stay distinguishable. */
function linkLabel(u: string): string {
  const url = new URL(u);
  const last = url.pathname.split('/').filter(Boolean).pop();
  return last ? `${url.hostname}: ${last}` : url.hostname;
}

/**
 * A port token: one port, a range, a service name or a variable (several items). Lists every port the token
 * stands for with its IANA services, the risks (without repeating a diagnostic the editor already shows at
 * this token), and the verdict of each rule that reads it.
 */
function portHover(fa: FileAnalysis, uses: PortUse[], range: Range, settings: ResolvedSettings): string {
  const out: string[] = [];
  const written =
    range.start.line === range.end.line
      ? (fa.lines[range.start.line] ?? '').slice(range.start.character, range.end.character)
      : uses[0].item.text;
  const byProto = new Map<string, PortSet>();
  for (const u of uses)
    for (const p of transports(u.protocols)) byProto.set(p, (byProto.get(p) ?? PortSet.NONE).union(PortSet.range(u.item.lo, u.item.hi)));
  const all = [...byProto.values()].reduce((a, b) => a.union(b), PortSet.NONE);
  const ranges = all.ranges();
  const single = ranges.length === 1 && ranges[0][0] === ranges[0][1];
  const numeric = /^\d+([-:]\d+)?$/.test(written);
  const perProto = [...byProto]
    .map(
      ([p, set]) =>
        `${p.toUpperCase()} ${set
          .ranges()
          .map(([a, b]) => portText(a, b))
          .join(', ')}`,
    )
    .join('; ');
  if (numeric && single) out.push(`**Port ${ranges[0][0]}**`);
  else if (numeric && ranges.length)
    out.push(`**Ports ${portText(ranges[0][0], ranges[0][1])}** (${ranges[0][1] - ranges[0][0] + 1} ports)`);
  else out.push(`**\`${written}\`** — ${perProto || ranges.map(([a, b]) => portText(a, b)).join(', ')}`);
  // IANA names for every single port the token names (a range lists none: there are too many).
  const singles = new Set(
    uses.flatMap((u) => (u.item.hi - u.item.lo < 16 ? Array.from({ length: u.item.hi - u.item.lo + 1 }, (_, i) => u.item.lo + i) : [])),
  );
  const entries = [...singles].sort((a, b) => a - b).flatMap((port) => servicesAt(port).filter((e) => byProto.has(e.protocol)));
  if (entries.length)
    out.push(
      entries
        .slice(0, 12)
        .map(
          (e) => `- ${e.protocol.toUpperCase()} ${e.port}: \`${e.name || 'unassigned'}\` — ${e.description || 'no description'} *(IANA)*`,
        )
        .join('\n') + (entries.length > 12 ? `\n- … and ${entries.length - 12} more` : ''),
    );
  else if (single) out.push('No IANA service is registered for this port.');
  // Risks: the diagnostic at this token already carries why and what to do; say it once.
  const shown = fa.findings.some(
    (f) =>
      (f.code === 'PC101' || f.code === 'PC102') &&
      f.range.start.line === range.start.line &&
      f.range.start.character === range.start.character,
  );
  const risks = new Map<string, Risk>();
  for (const [p, set] of byProto)
    for (const [a, b] of set.ranges()) for (const r of settings.risks.risksInRange(a, b, p as Transport)) risks.set(r.service, r);
  const links = new Set<string>();
  const wide = !single && ranges.some(([a, b]) => b - a > 16);
  if (wide && risks.size)
    out.push(
      `⚠️ Includes risky ports: ${[...risks.values()]
        .slice(0, 10)
        .map((r) => `${portText(r.ports[0], r.ports[1])} ${r.service}`)
        .join(', ')}`,
    );
  else {
    for (const r of risks.values()) {
      const refs = (r.references ?? []).filter((u) => !links.has(u));
      refs.forEach((u) => links.add(u));
      const see = refs.length ? `\n\nSee: ${refs.map((u) => `[${linkLabel(u)}](${u})`).join(', ')}` : '';
      out.push(
        shown
          ? `⚠️ **${r.service}** — ${r.level} risk when exposed (the problem above says why and what to do).${see}`
          : `⚠️ **${r.service}** — ${r.level} risk when exposed. ${r.why}\n\n*What to do:* ${r.advice}${see}`,
      );
    }
  }
  const rules = [...new Set(uses.map((u) => u.rule))];
  const verdicts = rules.map((rule) => verdict(fa, rule, ranges)).filter(Boolean);
  if (verdicts.length) out.push(`**Here:**\n${[...new Set(verdicts.flatMap((v) => v.split('\n')))].join('\n')}`);
  return out.join('\n\n');
}

/** "- TCP 3389 reachable from any IPv4 address through this rule", from the exposure analysis. */
function verdict(fa: FileAnalysis, rule: Rule, ranges: readonly (readonly [number, number])[]): string {
  const asked = PortSet.fromRanges(ranges);
  const grants = (fa.exposure.byRule.get(rule.id) ?? []).filter((g) => g.ports.overlaps(asked));
  const what = (ports: PortSet) =>
    ports
      .ranges()
      .map(([a, b]) => portText(a, b))
      .join(', ');
  if (rule.listener) return listenerVerdict(rule, grants);
  if (grants.length) {
    const lines = grants
      .slice(0, 4)
      .map(
        (g) =>
          `- ${g.protocol.toUpperCase()} ${what(g.ports.intersect(asked))} reachable from ${describeGrantSources(g)}${ifaceNote(g)} through this rule (${chainLabel(g.chain)})${g.approximate ? ` — approximate: ${g.reasons.slice(0, 2).join('; ')}` : ''}`,
      );
    if (grants.length > 4) lines.push(`- … and ${grants.length - 4} more`);
    return lines.join('\n');
  }
  if (rule.action.kind === 'accept') {
    return fa.exposure.chains.length > 0
      ? `- no new connection to ${what(asked)} reaches this rule from an input or forward chain (earlier rules decide them, or the chain is not reached).`
      : '';
  }
  if (rule.action.kind === 'drop' || rule.action.kind === 'reject')
    return `- this rule ${rule.action.kind}s matching connections to ${what(asked)}.`;
  return '';
}

function sameRange(a: Range, b: Range): boolean {
  return (
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}

function targetHover(fa: FileAnalysis, rule: Rule): string {
  const a = rule.action;
  if (a.kind === 'jump' || a.kind === 'goto') {
    const c = findChainByName(fa.ruleset, rule.table, a.chain);
    const how =
      a.kind === 'goto'
        ? `goes to **${a.chain}** (no return here: RETURN there goes back to this chain's caller)`
        : `jumps to **${a.chain}**; when that chain returns, evaluation continues with the next rule`;
    return c ? `This rule ${how}.\n\n${chainHover(fa, c)}` : `**${a.chain}** — not defined in this file.`;
  }
  if (a.kind === 'accept' || a.kind === 'drop' || a.kind === 'reject' || a.kind === 'return') {
    const written =
      a.range.start.line === a.range.end.line
        ? fa.lines[a.range.start.line]?.slice(a.range.start.character, a.range.end.character)
        : undefined;
    const title = written?.trim() || a.kind.toUpperCase();
    const chain = findChainByName(fa.ruleset, rule.table, rule.chain);
    // In a last-match chain (pf) a rule that is not final only proposes a verdict: a later match overrides it.
    if (chain?.order === 'last-match' && !rule.final && a.kind !== 'return') {
      const what = {
        accept: 'lets the packet through',
        drop: 'discards the packet silently',
        reject: 'refuses the packet with an error reply',
      }[a.kind];
      return `**${title}** — ${what} unless a later rule also matches it: the last matching rule decides, and evaluation goes on after this rule (a \`quick\` rule stops it at once).`;
    }
    return `**${title}** — ${TARGETS[a.kind]}`;
  }
  if (a.kind === 'dnat') {
    const to = [
      a.redirect ? 'this host' : a.toAddress,
      a.toPorts ? `port ${a.toPorts[0]}${a.toPorts[1] !== a.toPorts[0] ? `-${a.toPorts[1]}` : ''}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    return `**${a.redirect ? 'REDIRECT' : 'DNAT'}** — rewrites the destination of a new connection${to ? ` (to ${to})` : ''}. The connection goes on through the later chains with its new destination; the exposure lists it under the port it was opened to.`;
  }
  if (a.kind === 'notrack')
    return '**NOTRACK** — exempts matching packets from connection tracking: later rules see them in state UNTRACKED, not NEW, and NAT does not apply to them. Evaluation continues with the next rule.';
  if (a.kind === 'continue') return `**${a.target}** — does not decide the packet; evaluation continues with the next rule.`;
  if (a.kind === 'other')
    return `**${a.target}** — ends evaluation here with an action outside packet filtering (address translation or a user-space queue).`;
  return '';
}

/** "TCP 5432 published port (→ 5432/tcp), on all IPv4 and IPv6 addresses of the host", then who reaches it. */
function listenerVerdict(rule: Rule, grants: Grant[]): string {
  const l = rule.listener!;
  const proto =
    (rule.conditions.find((c) => c.kind === 'protocol') as { protocols: string[] } | undefined)?.protocols[0]?.toUpperCase() ?? 'TCP';
  const dport = rule.conditions.find((c) => c.kind === 'dport');
  const what =
    dport?.kind === 'dport'
      ? dport.set
          .ranges()
          .map(([a, b]) => portText(a, b))
          .join(', ')
      : '';
  const port = l.anyHostPort ? `${what} (the port is picked at run time)` : what;
  const behind = l.target ? ` (→ ${l.target})` : '';
  if (!l.published) return `${proto} ${what}${behind} — ${l.via}: declared, not reachable from outside by this alone.`;
  const where = l.bound
    ? isLoopbackSet(l.bound)
      ? `bound to ${l.bound.describe()} (this host only)`
      : `bound to ${l.bound.describe()}`
    : 'on all IPv4 and IPv6 addresses of the host';
  const lines = [`${proto} ${port} ${l.via}${behind}, ${where}.`];
  const fams = new Map<string, Grant>();
  for (const g of grants) if (!fams.has(g.family)) fams.set(g.family, g);
  for (const g of fams.values())
    lines.push(
      `- reachable from ${describeGrantSources(g)}${ifaceNote(g)}${g.approximate ? ` — approximate: ${g.reasons.slice(0, 2).join('; ')}` : ''}`,
    );
  if (!grants.length) lines.push("- no connection from outside reaches it (see the rule's sources).");
  return lines.join('\n');
}
