/** Finds the model node under a cursor position. */
import { contains, type Position, type Range } from '../model/range';
import type { Chain, PortItem, Rule, Ruleset } from '../model/ruleset';
import { allChains } from '../model/ruleset';

export type NodeAt =
  | { kind: 'port'; item: PortItem; rule: Rule; protocols: string[]; range: Range }
  | { kind: 'target'; rule: Rule; range: Range }
  | { kind: 'chain'; chain: Chain; range: Range }
  | { kind: 'rule'; rule: Rule; range: Range };

export function nodeAt(rs: Ruleset, pos: Position): NodeAt | undefined {
  for (const chain of allChains(rs)) {
    if (contains(chain.range, pos)) return { kind: 'chain', chain, range: chain.range };
    for (const rule of chain.rules) {
      if (pos.line < rule.range.start.line || pos.line > rule.range.end.line || !contains(rule.range, pos)) continue;
      const protocols = rule.conditions.flatMap((c) => (c.kind === 'protocol' && !c.negated ? c.protocols : []));
      for (const c of rule.conditions) {
        if (c.kind !== 'dport' && c.kind !== 'sport' && c.kind !== 'port') continue;
        const item = c.items.find((i) => contains(i.range, pos));
        if (item) return { kind: 'port', item, rule, protocols, range: item.range };
      }
      if ('range' in rule.action && contains(rule.action.range, pos)) return { kind: 'target', rule, range: rule.action.range };
      return { kind: 'rule', rule, range: rule.range };
    }
  }
  return undefined;
}

export function findChainByName(rs: Ruleset, table: string, name: string): Chain | undefined {
  return rs.tables.find((t) => t.name === table)?.chains.find((c) => c.name === name);
}
