/** Kubernetes label selectors: `matchLabels` and `matchExpressions`, or a Service's plain label map. */
export type Labels = Map<string, string>;

export interface Selector {
  labels: Labels;
  expressions: { key: string; operator: string; values: string[] }[];
}

export const EVERYTHING: Selector = { labels: new Map(), expressions: [] };

export function matches(sel: Selector, labels: Labels): boolean {
  for (const [k, v] of sel.labels) if (labels.get(k) !== v) return false;
  for (const e of sel.expressions) {
    const has = labels.has(e.key);
    const value = labels.get(e.key);
    switch (e.operator) {
      case 'In':
        if (!has || !e.values.includes(value!)) return false;
        break;
      case 'NotIn':
        if (has && e.values.includes(value!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

export function describeSelector(sel: Selector): string {
  const parts = [...sel.labels].map(([k, v]) => `${k}=${v}`);
  for (const e of sel.expressions) parts.push(`${e.key} ${e.operator}${e.values.length ? ` (${e.values.join(', ')})` : ''}`);
  return parts.length ? parts.join(', ') : 'every pod';
}
