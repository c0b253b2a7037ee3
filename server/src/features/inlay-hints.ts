/**
 * Inlay hints: the service behind a port number (`--dport 5432` ▸ postgresql), the ports behind a service name
 * or a variable (`$web` ▸ 80 http, 443 https), and at the end of a rule that opens a risky port to the
 * internet, a short verdict. Read from the model and the exposure; nothing here parses.
 */
import { worldGrants } from '../analysis/reach';
import type { ResolvedSettings } from '../analysis/settings';
import { serviceAt } from '../knowledge/registry';
import type { Position, Range } from '../model/range';
import type { PortItem, Rule } from '../model/ruleset';
import { allRules } from '../model/ruleset';
import type { FileAnalysis } from '../pipeline';

export interface Hint {
  position: Position;
  label: string;
  /** 1 = type (a value), 2 = parameter; verdicts use neither. */
  kind?: 1 | 2;
  tooltip?: string;
}

const MAX_LISTED = 6;
const LEVEL_RANK = { high: 0, medium: 1, low: 2 } as const;

export function inlayHints(fa: FileAnalysis, settings: ResolvedSettings, range?: Range): Hint[] {
  const hints: Hint[] = [];
  for (const rule of allRules(fa.ruleset)) {
    if (range && (rule.range.end.line < range.start.line || rule.range.start.line > range.end.line)) continue;
    const protocols = rule.conditions.flatMap((c) => (c.kind === 'protocol' && !c.negated ? c.protocols : []));
    for (const c of rule.conditions) {
      if (c.kind !== 'dport' && c.kind !== 'sport' && c.kind !== 'port') continue;
      for (const items of byToken(c.items).values()) hints.push(...tokenHint(fa.lines, items, protocols));
    }
    const verdict = verdictHint(fa, rule, settings);
    if (verdict) hints.push(verdict);
  }
  return hints.sort((a, b) => a.position.line - b.position.line || a.position.character - b.position.character);
}

/** Items that come from one token (a variable or a service with several ports yields several items). */
function byToken(items: PortItem[]): Map<string, PortItem[]> {
  const m = new Map<string, PortItem[]>();
  for (const i of items) {
    const key = `${i.range.start.line}:${i.range.start.character}:${i.range.end.line}:${i.range.end.character}`;
    m.set(key, [...(m.get(key) ?? []), i]);
  }
  return m;
}

function textAt(lines: string[], r: Range): string {
  return r.start.line === r.end.line ? (lines[r.start.line] ?? '').slice(r.start.character, r.end.character) : '';
}

const portText = (i: PortItem) => (i.lo === i.hi ? `${i.lo}` : `${i.lo}–${i.hi}`);

function tokenHint(lines: string[], items: PortItem[], protocols: string[]): Hint[] {
  const range = items[0].range;
  const written = textAt(lines, range);
  const position = range.end;
  const proto = (protocols.find((p) => p === 'tcp' || p === 'udp') ?? 'tcp') as 'tcp' | 'udp';
  if (/^\d+$/.test(written) && items.length === 1) {
    // A bare port number: name its service.
    const name = serviceAt(items[0].lo, proto)?.name ?? serviceAt(items[0].lo, proto === 'tcp' ? 'udp' : 'tcp')?.name;
    return name ? [{ position, label: name, kind: 1, tooltip: `IANA service for ${items[0].lo}/${proto}` }] : [];
  }
  if (/^\d+\s*[-:]\s*\d+$/.test(written)) return [];
  // A service name or a variable/macro: list the ports it stands for, with their services.
  const sorted = [...items].sort((a, b) => a.lo - b.lo);
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const i of sorted) {
    const t = portText(i);
    if (seen.has(t)) continue;
    seen.add(t);
    const name =
      written.startsWith('$') || written.startsWith('<') || written.startsWith('@')
        ? i.lo === i.hi
          ? (i.service ?? serviceAt(i.lo, proto)?.name)
          : undefined
        : undefined;
    parts.push(name && name !== t ? `${t} ${name}` : t);
  }
  if (!parts.length || (parts.length === 1 && parts[0] === written)) return [];
  const label = parts.slice(0, MAX_LISTED).join(', ') + (parts.length > MAX_LISTED ? `, … (${parts.length})` : '');
  return [{ position, label: `= ${label}`, kind: 1, tooltip: `${written} stands for ${parts.join(', ')}` }];
}

/** "⚠ internet: RDP 3389/tcp +2" at the end of a rule whose grants open a risky port to the internet. */
function verdictHint(fa: FileAnalysis, rule: Rule, settings: ResolvedSettings): Hint | undefined {
  const world = worldGrants(fa.exposure.byRule.get(rule.id) ?? [], settings.trusted);
  if (!world.length) return undefined;
  const names = new Map<string, { text: string; rank: number }>();
  for (const g of world) {
    for (const [lo, hi] of g.ports.ranges()) {
      for (const r of settings.risks.risksInRange(lo, hi, g.protocol)) {
        const ports = r.ports[0] === r.ports[1] ? `${r.ports[0]}` : `${r.ports[0]}–${r.ports[1]}`;
        names.set(`${r.service}/${g.protocol}`, { text: `${r.service.split(' (')[0]} ${ports}/${g.protocol}`, rank: LEVEL_RANK[r.level] });
      }
    }
  }
  if (!names.size) return undefined;
  // The worst first: it is the one the hint has room for.
  const list = [...names.values()].sort((a, b) => a.rank - b.rank).map((n) => n.text);
  const approximate = world.some((g) => g.approximate);
  // Short: editors cut long hints. The hover and the diagnostic say the rest.
  const label = `⚠ internet: ${list[0]}${list.length > 1 ? ` +${list.length - 1}` : ''}${approximate ? ' (approximate)' : ''}`;
  return {
    position: lineEnd(fa.lines, rule.range),
    label,
    tooltip: `Portcullis: this rule lets new connections from (almost) any address reach ${list.join(', ')}. Hover the port for why.`,
  };
}

/** End of the rule's last line without trailing spaces or a line comment after it. */
function lineEnd(lines: string[], r: Range): Position {
  const text = lines[r.end.line] ?? '';
  return { line: r.end.line, character: Math.max(r.end.character, text.replace(/\s+$/, '').length) };
}
