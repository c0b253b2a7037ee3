/**
 * Probe reports as users read and export them: the CLI's text table, Markdown, and the stable JSON contract.
 * Type-only imports, so the VS Code client can bundle it for its export commands without the analysis.
 */
import type { ProbeReport, ReportRow } from './probe-report';

/** The CLI's stable JSON contract (docs/probe.md). */
export function reportJson(report: ProbeReport): object {
  return {
    target: report.target,
    address: report.address,
    at: report.at,
    ...(report.cancelled ? { cancelled: true } : {}),
    results: report.results.map((r) => ({
      port: r.port,
      protocol: r.protocol,
      state: r.state,
      reason: r.reason,
      latencyMs: r.latencyMs,
      ...(r.expected ? { expected: r.expected } : {}),
      ...(r.banner ? { banner: r.banner } : {}),
    })),
  };
}

const cell = (s: string | number | undefined): string => String(s ?? '').replace(/\|/g, '\\|');

export function reportMarkdown(report: ProbeReport): string {
  const lines = [
    `# Probe of ${report.target}${report.address !== report.target ? ` (${report.address})` : ''}`,
    '',
    `${report.source} at ${report.at}${report.cancelled ? ' — cancelled, partial results' : ''}. ${summary(report)}.`,
    '',
    ...report.notes.flatMap((n) => [`> Note: ${n}.`, '']),
    '| Port | Protocol | Service | Expected | Observed | Reason | Latency (ms) | Banner |',
    '|---:|---|---|---|---|---|---:|---|',
  ];
  for (const r of report.results) {
    const observed = r.drift ? `**${r.state}** (${r.drift})` : r.state;
    lines.push(
      `| ${r.port} | ${r.protocol} | ${cell(r.service)} | ${cell(r.expected)} | ${observed} | ${cell(r.reason)} | ${r.latencyMs} | ${cell(r.banner)} |`,
    );
  }
  return lines.join('\n') + '\n';
}

export function reportText(report: ProbeReport): string {
  const rows = report.results.map((r) => [
    `${r.port}/${r.protocol}`,
    r.service ?? '',
    r.expected ?? '',
    r.state,
    r.reason,
    `${r.latencyMs}`,
    r.drift ?? '',
    r.banner ?? '',
  ]);
  const head = ['PORT', 'SERVICE', 'EXPECTED', 'STATE', 'REASON', 'MS', 'DRIFT', 'BANNER'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const title = `${report.source} of ${report.target}${report.address !== report.target ? ` (${report.address})` : ''} at ${report.at}${report.cancelled ? ' (cancelled)' : ''}`;
  return [title, fmt(head), ...rows.map(fmt), summary(report), ...report.notes.map((n) => `note: ${n}`)].join('\n') + '\n';
}

export function summary(report: ProbeReport): string {
  const count = (pred: (r: ReportRow) => boolean) => report.results.filter(pred).length;
  const states = ['open', 'closed', 'filtered', 'open|filtered', 'unreachable']
    .map((s) => [s, count((r) => r.state === s)] as const)
    .filter(([, n]) => n > 0);
  const drift = count((r) => r.drift !== undefined);
  return `${report.results.length} port${report.results.length === 1 ? '' : 's'}: ${states.map(([s, n]) => `${n} ${s}`).join(', ') || 'none'}; ${drift} differ${drift === 1 ? 's' : ''} from the file`;
}
