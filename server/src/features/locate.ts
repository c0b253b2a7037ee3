/** Finds the model node under a cursor position. */
import { contains, type Position, type Range } from '../model/range';
import type { Chain, PortItem, Rule, Ruleset } from '../model/ruleset';
import { allChains, allRules } from '../model/ruleset';

/** One port token may stand for several ports (a service with two ports, a `$variable`), even across rules. */
export interface PortUse {
  item: PortItem;
  rule: Rule;
  protocols: string[];
}

export type NodeAt =
  | { kind: 'port'; uses: PortUse[]; range: Range }
  | { kind: 'target'; rule: Rule; range: Range }
  | { kind: 'chain'; chain: Chain; range: Range }
  /** A chain named by a rule (`-A INPUT`), not declared there. */
  | { kind: 'chainRef'; chain: Chain; rule: Rule; range: Range }
  | { kind: 'rule'; rule: Rule; range: Range };

const sameRange = (a: Range, b: Range) =>
  a.start.line === b.start.line &&
  a.start.character === b.start.character &&
  a.end.line === b.end.line &&
  a.end.character === b.end.character;

export function portUses(rule: Rule): PortUse[] {
  const protocols = rule.conditions.flatMap((c) => (c.kind === 'protocol' && !c.negated ? c.protocols : []));
  return rule.conditions.flatMap((c) =>
    c.kind === 'dport' || c.kind === 'sport' || c.kind === 'port' ? c.items.map((item) => ({ item, rule, protocols })) : [],
  );
}

export function nodeAt(rs: Ruleset, pos: Position): NodeAt | undefined {
  for (const chain of allChains(rs)) {
    if (contains(chain.range, pos)) return { kind: 'chain', chain, range: chain.range };
    for (const rule of chain.rules) {
      if (pos.line < rule.range.start.line || pos.line > rule.range.end.line || !contains(rule.range, pos)) continue;
      const hit = portUses(rule).find((u) => contains(u.item.range, pos));
      if (hit) {
        // Every item any rule reads from this token: firewalld expands one <service> into rules per protocol.
        const uses = allRules(rs)
          .filter((r) => r.range.start.line <= hit.item.range.start.line && r.range.end.line >= hit.item.range.end.line)
          .flatMap(portUses)
          .filter((u) => sameRange(u.item.range, hit.item.range));
        return { kind: 'port', uses, range: hit.item.range };
      }
      if (rule.chainRange && contains(rule.chainRange, pos)) return { kind: 'chainRef', chain, rule, range: rule.chainRange };
      if ('range' in rule.action && contains(rule.action.range, pos)) return { kind: 'target', rule, range: rule.action.range };
      return { kind: 'rule', rule, range: rule.range };
    }
  }
  return undefined;
}

export function findChainByName(rs: Ruleset, table: string, name: string): Chain | undefined {
  return rs.tables.find((t) => t.name === table)?.chains.find((c) => c.name === name);
}
