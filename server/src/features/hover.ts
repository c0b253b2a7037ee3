/** Hover: what a port or service is, why it is risky, and what this rule does with it. */
import type { Transport } from '../knowledge/registry';
import { describeSources, ifaceNote } from '../analysis/reach';
import type { ResolvedSettings } from '../analysis/settings';
import { servicesAt } from '../knowledge/registry';
import type { Position, Range } from '../model/range';
import type { Rule } from '../model/ruleset';
import { allChains } from '../model/ruleset';
import type { FileAnalysis } from '../pipeline';
import { findChainByName, nodeAt } from './locate';

export interface HoverResult {
  range: Range;
  markdown: string;
}

const TARGETS: Record<string, string> = {
  accept: 'lets the packet through; evaluation stops.',
  drop: 'discards the packet silently; the sender sees a timeout, so scanners report the port as *filtered*.',
  reject: 'discards the packet and answers with an error (TCP reset or ICMP unreachable), so scanners report the port as *closed* (or *filtered* for ICMP admin-prohibited).',
  return: 'goes back to the calling chain; in a built-in chain, the chain policy decides.',
};

export function hoverAt(fa: FileAnalysis, pos: Position, settings: ResolvedSettings): HoverResult | undefined {
  const node = nodeAt(fa.ruleset, pos);
  if (!node) return undefined;
  switch (node.kind) {
    case 'port':
      return { range: node.range, markdown: portHover(fa, node.item.lo, node.item.hi, node.item.service, node.rule, node.protocols, settings) };
    case 'chain': {
      const c = node.chain;
      const callers = allChains(fa.ruleset).flatMap((x) => x.rules.filter((r) => (r.action.kind === 'jump' || r.action.kind === 'goto') && r.action.chain === c.name && r.table === c.table).map((r) => `${x.name} (line ${r.range.start.line + 1})`));
      const lines = [
        `**chain ${c.name}** — table \`${c.table}\`${c.hook ? `, hooked to ${c.hook}` : ', user chain'}`,
        c.policy ? `Default policy: **${c.policy.toUpperCase()}**` : c.hook ? 'Default policy: not set in this file' : '',
        `${c.rules.length} rule${c.rules.length === 1 ? '' : 's'}`,
        callers.length ? `Jumped to from: ${callers.slice(0, 8).join(', ')}${callers.length > 8 ? ` and ${callers.length - 8} more` : ''}` : c.hook ? '' : 'Nothing jumps to this chain.',
      ];
      return { range: node.range, markdown: lines.filter(Boolean).join('\n\n') };
    }
    case 'target':
      return { range: node.range, markdown: targetHover(fa, node.rule) };
    default:
      return undefined;
  }
}

function portHover(fa: FileAnalysis, lo: number, hi: number, service: string | undefined, rule: Rule, protocols: string[], settings: ResolvedSettings): string {
  const protos = (protocols.length ? protocols : ['tcp', 'udp']).filter((p) => p === 'tcp' || p === 'udp' || p === 'sctp' || p === 'dccp');
  const out: string[] = [];
  if (lo === hi) {
    out.push(`**Port ${lo}**${service ? ` (\`${service}\`)` : ''}`);
    const entries = servicesAt(lo).filter((e) => !protos.length || protos.includes(e.protocol));
    if (entries.length) out.push(entries.map((e) => `- ${e.protocol.toUpperCase()} ${lo}: \`${e.name || 'unassigned'}\` — ${e.description || 'no description'} *(IANA)*`).join('\n'));
    else out.push('No IANA service is registered for this port.');
  } else {
    out.push(`**Ports ${lo}–${hi}** (${hi - lo + 1} ports)`);
  }
  const risks = protos.flatMap((p) => settings.risks.risksInRange(lo, hi, p as Transport).map((r) => ({ r, p })));
  const seen = new Set<string>();
  for (const { r } of risks) {
    if (seen.has(r.service)) continue;
    seen.add(r.service);
    if (lo === hi) out.push(`⚠️ **${r.service}** — ${r.level} risk when exposed. ${r.why}\n\n*What to do:* ${r.advice}${r.references?.length ? `\n\nSee: ${r.references.map((u) => `[${new URL(u).hostname}](${u})`).join(', ')}` : ''}`);
  }
  if (lo !== hi && seen.size) out.push(`⚠️ Includes risky ports: ${[...new Map(risks.map(({ r, p }) => [r.service, `${r.ports[0]}/${p} ${r.service}`])).values()].slice(0, 10).join(', ')}`);
  out.push(verdict(fa, rule, lo, hi));
  return out.join('\n\n');
}

/** "TCP 3389 reachable from any IPv4 address through this rule", from the exposure analysis. */
function verdict(fa: FileAnalysis, rule: Rule, lo: number, hi: number): string {
  const grants = (fa.exposure.byRule.get(rule.id) ?? []).filter((g) => g.ports.ranges().some(([a, b]) => a <= hi && b >= lo));
  const what = lo === hi ? `${lo}` : `${lo}–${hi}`;
  if (grants.length) {
    const lines = grants.slice(0, 4).map((g) => `- ${g.protocol.toUpperCase()} ${what} reachable from ${describeSources(g.sources, g.family)}${ifaceNote(g)} through this rule (chain ${g.chain.name})${g.approximate ? ` — approximate: ${g.reasons.slice(0, 2).join('; ')}` : ''}`);
    if (grants.length > 4) lines.push(`- … and ${grants.length - 4} more`);
    return `**Here:**\n${lines.join('\n')}`;
  }
  if (rule.action.kind === 'accept') {
    const reached = fa.exposure.chains.length > 0;
    return reached ? `**Here:** no new connection to ${what} reaches this rule from an input or forward chain (earlier rules decide them, or the chain is not reached).` : '';
  }
  if (rule.action.kind === 'drop' || rule.action.kind === 'reject') return `**Here:** this rule ${rule.action.kind}s matching connections to ${what}.`;
  return '';
}

function targetHover(fa: FileAnalysis, rule: Rule): string {
  const a = rule.action;
  if (a.kind === 'jump' || a.kind === 'goto') {
    const c = findChainByName(fa.ruleset, rule.table, a.chain);
    const how = a.kind === 'goto' ? 'goes to (no return here: RETURN there goes back to this chain\'s caller)' : 'jumps to; when that chain returns, evaluation continues with the next rule';
    return c ? `**${a.chain}** — user chain this rule ${how}. ${c.rules.length} rules.` : `**${a.chain}** — not defined in this file.`;
  }
  if (a.kind === 'accept' || a.kind === 'drop' || a.kind === 'reject' || a.kind === 'return') {
    const written = a.range.start.line === a.range.end.line ? fa.lines[a.range.start.line]?.slice(a.range.start.character, a.range.end.character) : undefined;
    const title = written?.trim() || a.kind.toUpperCase();
    const chain = findChainByName(fa.ruleset, rule.table, rule.chain);
    // In a last-match chain (pf) a rule that is not final only proposes a verdict: a later match overrides it.
    if (chain?.order === 'last-match' && !rule.final && a.kind !== 'return') {
      const what = { accept: 'lets the packet through', drop: 'discards the packet silently', reject: 'refuses the packet with an error reply' }[a.kind];
      return `**${title}** — ${what} unless a later rule also matches it: the last matching rule decides, and evaluation goes on after this rule (a \`quick\` rule stops it at once).`;
    }
    return `**${title}** — ${TARGETS[a.kind]}`;
  }
  if (a.kind === 'continue') return `**${a.target}** — does not decide the packet; evaluation continues with the next rule.`;
  if (a.kind === 'other') return `**${a.target}** — ends evaluation here with an action outside packet filtering (address translation or a user-space queue).`;
  return '';
}
