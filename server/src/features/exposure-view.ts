/** Plain-text rendering of the service matrix, for the CLI and for editors that show text. */
import { serviceAt } from '../knowledge/registry';
import type { ChainMatrix, MatrixEntry } from '../analysis/matrix';
import { describeSources } from '../analysis/reach';

export function portsLabel(e: MatrixEntry): string {
  const ranges = e.ports.ranges();
  if (e.ports.isAll()) return 'all ports';
  const text =
    ranges
      .slice(0, 6)
      .map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`))
      .join(',') + (ranges.length > 6 ? `,… (${ranges.length} ranges)` : '');
  const one = ranges.length === 1 && ranges[0][0] === ranges[0][1] ? serviceAt(ranges[0][0], e.protocol)?.name : undefined;
  return one ? `${text} (${one})` : text;
}

export function entryLine(e: MatrixEntry, family: 'ipv4' | 'ipv6'): { ports: string; from: string; via: string } {
  const iface =
    e.interface === undefined
      ? ''
      : e.interface.startsWith('!')
        ? ` on interfaces other than ${e.interface.slice(1)}`
        : ` on ${e.interface}`;
  const via = [
    e.rules.length
      ? `line${e.rules.length > 1 ? 's' : ''} ${e.rules
          .slice(0, 5)
          .map((r) => r.range.start.line + 1)
          .join(', ')}${e.rules.length > 5 ? ', …' : ''}`
      : '',
    e.byPolicy ? 'policy ACCEPT' : '',
  ]
    .filter(Boolean)
    .join(' + ');
  return {
    ports: `${e.protocol.toUpperCase()} ${portsLabel(e)}`,
    from: `${describeSources(e.sources, family)}${iface}`,
    via: `${via}${e.approximate ? ' (approximate)' : ''}`,
  };
}

export function renderMatrix(path: string, matrix: ChainMatrix[]): string {
  const out: string[] = [];
  for (const c of matrix) {
    const via = c.path.length > 1 ? `, on the ${c.hook} path ${c.path.join(' → ')}` : '';
    out.push(`${path} — ${c.table}/${c.chain} (${c.family}${via})`);
    if (!c.entries.length) out.push('  no new TCP or UDP connection is accepted');
    const rows = c.entries.map((e) => entryLine(e, c.family));
    const w1 = Math.min(40, Math.max(0, ...rows.map((r) => r.ports.length)));
    const w2 = Math.min(60, Math.max(0, ...rows.map((r) => r.from.length)));
    for (const r of rows) out.push(`  ${r.ports.padEnd(w1)}  ${r.from.padEnd(w2)}  ${r.via}`);
  }
  return out.join('\n') + '\n';
}
