/**
 * What every recognised file of a workspace exposes to whom, worst first: the per-file rows of exposure-rows.ts
 * as one list across files for `portcullis exposure`, and as a tree (file → resource → port/protocol → sources)
 * for the `portcullis.workspaceExposure` command, which the VS Code Workspace Exposure view and other editors show.
 */
import { serviceMatrix } from '../analysis/matrix';
import type { ResolvedSettings } from '../analysis/settings';
import type { Family } from '../model/addresses';
import type { Finding } from '../model/finding';
import type { Risk } from '../knowledge/risks';
import type { Workspace, WorkspaceFile } from '../workspace';
import { exposureGroups, type ExposureRow, type Reach } from './exposure-rows';

/** One row of exposure-rows.ts, with the file and resource it belongs to, for a list across files. */
export interface WorkspaceRow extends ExposureRow {
  path: string;
  language: string;
  table: string;
  chain: string;
  family: Family;
  /** "TCP 5432 (postgresql)". */
  portLabel: string;
  /** 0-based line of the first rule that grants it (or of the chain when its policy does). */
  line: number;
  /** Codes of findings reported on the row's rules (this file's and the workspace's). */
  codes: string[];
  /** Higher is worse: reach first, then the worst risk of the ports (none for loopback-only rows). */
  score: number;
}

const REACH_SCORE: Record<Reach, number> = { internet: 8, networks: 4, local: 0 };
const RISK_SCORE: Record<Risk['level'], number> = { high: 3, medium: 2, low: 1 };

/** The worst risk that counts for a row: a risky port reachable only from the host itself does not. */
export function rowRisk(r: ExposureRow): Risk['level'] | undefined {
  return r.reach === 'local' ? undefined : r.risks[0]?.level;
}

/** Every row of every analysed file, worst first. */
export function workspaceRows(ws: Workspace, defaults: ResolvedSettings): WorkspaceRow[] {
  const rows: WorkspaceRow[] = [];
  for (const f of ws.files) {
    if (!f.analysis) continue;
    const fa = f.analysis;
    const findings = [...fa.findings, ...(ws.findings.get(f.path) ?? [])].filter((x) => x.severity !== 'hint');
    for (const g of exposureGroups(serviceMatrix(fa.exposure), fa.ruleset, fa.lines, f.settings ?? defaults)) {
      for (const r of g.rows) {
        const lines = new Set(r.rules.map((x) => x.line));
        const risk = rowRisk(r);
        rows.push({
          ...r,
          path: f.path,
          language: fa.format.id,
          table: g.table,
          chain: g.chain,
          family: g.family,
          portLabel: `${r.protocol.toUpperCase()} ${r.portsLabel}`,
          line: r.rules[0]?.line ?? g.range?.start.line ?? 0,
          codes: [...new Set(findings.filter((x) => lines.has(x.range.start.line)).map((x) => x.code))].sort(),
          score: REACH_SCORE[r.reach] + (risk ? RISK_SCORE[risk] : 0),
        });
      }
    }
  }
  return rows.sort((a, b) => b.score - a.score || a.path.localeCompare(b.path) || a.line - b.line);
}

export interface SourceNode {
  label: string;
  family: Family;
  sources: string[];
  interface?: string;
  reach: Reach;
  risk?: Risk['level'];
  line: number;
  approximate: boolean;
  codes: string[];
  score: number;
}

export interface PortNode {
  label: string;
  protocol: 'tcp' | 'udp';
  ports: [number, number][];
  line: number;
  score: number;
  sources: SourceNode[];
}

export interface ResourceNode {
  /** The resource as the file names it (chain, compose service, metadata.name). */
  name: string;
  table: string;
  line: number;
  score: number;
  ports: PortNode[];
}

export interface FileNode {
  path: string;
  language?: string;
  error?: string;
  score: number;
  resources: ResourceNode[];
}

export interface WorkspaceExposure {
  files: FileNode[];
  /** Findings that combine files (PC301 …), with the path they are reported on. */
  findings: (Finding & { path: string })[];
  hosts: { name: string; roots: string[]; paths: string[] }[];
  truncated: boolean;
}

function upsert<T extends { score: number }>(list: T[], key: (t: T) => boolean, make: () => T): T {
  let node = list.find(key);
  if (!node) list.push((node = make()));
  return node;
}

const byScore = <T extends { score: number; line?: number }>(a: T, b: T) => b.score - a.score || (a.line ?? 0) - (b.line ?? 0);

/** The tree the Workspace Exposure view shows, worst first at every level; files that failed come first. */
export function exposureTree(ws: Workspace & { truncated?: boolean }, defaults: ResolvedSettings): WorkspaceExposure {
  const files = new Map<string, FileNode>();
  const fileNode = (f: WorkspaceFile): FileNode => ({
    path: f.path,
    ...(f.analysis ? { language: f.analysis.format.id } : {}),
    ...(f.error ? { error: f.error } : {}),
    score: f.error ? 100 : 0,
    resources: [],
  });
  for (const f of ws.files) files.set(f.path, fileNode(f));
  for (const r of workspaceRows(ws, defaults)) {
    const file = files.get(r.path)!;
    const res = upsert(
      file.resources,
      (x) => x.table === r.table && x.name === r.chain,
      () => ({ name: r.chain, table: r.table, line: r.line, score: 0, ports: [] }),
    );
    const port = upsert(
      res.ports,
      (x) => x.label === r.portLabel,
      () => ({ label: r.portLabel, protocol: r.protocol, ports: r.ports, line: r.line, score: 0, sources: [] }),
    );
    const risk = rowRisk(r);
    port.sources.push({
      label: [r.sources, r.interface].filter(Boolean).join(' '),
      family: r.family,
      sources: r.cidrs,
      ...(r.interface ? { interface: r.interface } : {}),
      reach: r.reach,
      ...(risk ? { risk } : {}),
      line: r.line,
      approximate: r.approximate,
      codes: r.codes,
      score: r.score,
    });
    port.score = Math.max(port.score, r.score);
    res.score = Math.max(res.score, r.score);
    file.score = Math.max(file.score, r.score);
    res.line = Math.min(res.line, r.line);
  }
  for (const f of files.values()) {
    for (const res of f.resources) {
      for (const p of res.ports) p.sources.sort(byScore);
      res.ports.sort(byScore);
    }
    f.resources.sort(byScore);
  }
  return {
    files: [...files.values()].sort((a, b) => b.score - a.score || a.path.localeCompare(b.path)),
    findings: [...ws.findings].flatMap(([path, fs]) => fs.map((f) => ({ ...f, path }))),
    hosts: ws.hosts.map((h) => ({ name: h.name, roots: h.roots, paths: h.paths })),
    truncated: !!ws.truncated,
  };
}

/** Plain text for the CLI: one row per entry, worst first, then the findings that combine files. */
export function renderRows(rows: WorkspaceRow[], ws: WorkspaceExposure, rel: (p: string) => string): string {
  const out: string[] = [];
  const cells = rows.map((r) => [
    rowRisk(r) ?? '-',
    r.reach,
    `${rel(r.path)}:${r.line + 1}`,
    `${r.table}/${r.chain}`,
    r.portLabel,
    `${[r.sources, r.interface].filter(Boolean).join(' ')}${r.approximate ? ' (approximate)' : ''}`,
    r.codes.join(','),
  ]);
  const head = ['RISK', 'REACH', 'FILE', 'RESOURCE', 'PORT', 'FROM', 'FINDINGS'];
  const widths = head.map((h, i) => Math.min(48, Math.max(h.length, ...cells.map((c) => c[i].length))));
  for (const c of [head, ...cells])
    out.push(
      c
        .map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    );
  for (const f of ws.files) if (f.error) out.push(`${rel(f.path)}: error: ${f.error}`);
  for (const f of ws.findings)
    out.push(`${rel(f.path)}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} ${f.code}: ${f.message}`);
  const analysed = ws.files.filter((f) => !f.error).length;
  out.push(
    `${analysed} file${analysed === 1 ? '' : 's'}, ${rows.length} exposure${rows.length === 1 ? '' : 's'}${ws.truncated ? ' (file limit reached: not every file was read)' : ''}`,
  );
  return out.join('\n') + '\n';
}

/** What the `portcullis.workspaceExposure` command returns: the tree with a URI on every file and finding. */
export interface WorkspaceExposureResult extends Omit<WorkspaceExposure, 'files' | 'findings'> {
  root: string;
  files: (WorkspaceExposure['files'][number] & { uri: string })[];
  findings: (WorkspaceExposure['findings'][number] & { uri: string })[];
  /** A problem with the workspace's `hosts` setting, if any. */
  error?: string;
}
