/**
 * What every recognised file of a workspace exposes to whom, worst first: flat rows for `portcullis exposure`
 * and a tree (file → resource → port/protocol → sources) for the `portcullis.workspaceExposure` command, which
 * the VS Code Workspace Exposure view and any other editor show.
 */
import { serviceMatrix, type MatrixEntry } from '../analysis/matrix';
import { isLoopback } from '../analysis/interfaces';
import { describeSources, isWorld } from '../analysis/reach';
import type { ResolvedSettings } from '../analysis/settings';
import { AddressSet, type Family } from '../model/addresses';
import type { Finding } from '../model/finding';
import type { Risk } from '../knowledge/risks';
import type { Workspace, WorkspaceFile } from '../workspace';
import { portsLabel } from './exposure-view';

export type Reach = 'internet' | 'restricted' | 'local';

export interface ExposureRow {
  path: string;
  language: string;
  table: string;
  chain: string;
  family: Family;
  protocol: 'tcp' | 'udp';
  ports: [number, number][];
  /** "TCP 5432 (postgresql)". */
  portLabel: string;
  sources: string[];
  /** "any IPv4 address", "10.0.0.0/8" … with the interface when the entry holds for one. */
  from: string;
  interface?: string;
  reach: Reach;
  risk?: Risk['level'];
  /** 0-based line of the first rule that grants it (or of the chain when its policy does). */
  line: number;
  approximate: boolean;
  /** Codes of findings reported on the entry's rules (this file's and the workspace's). */
  codes: string[];
  /** Higher is worse: reach first, then the worst risk of the ports. */
  score: number;
}

const LOOPBACK = AddressSet.parse('127.0.0.0/8')!.union(AddressSet.parse('::1/128')!);
const REACH_SCORE: Record<Reach, number> = { internet: 8, restricted: 4, local: 0 };
const RISK_SCORE: Record<Risk['level'], number> = { high: 3, medium: 2, low: 1 };
const RISK_ORDER: Risk['level'][] = ['high', 'medium', 'low'];

function reachOf(e: MatrixEntry, family: Family, trusted: AddressSet): Reach {
  if ((e.interface !== undefined && isLoopback(e.interface)) || LOOPBACK.covers(e.sources)) return 'local';
  return isWorld(e.sources.subtract(trusted), family) ? 'internet' : 'restricted';
}

function riskOf(e: MatrixEntry, settings: ResolvedSettings): Risk['level'] | undefined {
  const levels = new Set(e.ports.ranges().flatMap(([a, b]) => settings.risks.risksInRange(a, b, e.protocol).map((r) => r.level)));
  return RISK_ORDER.find((l) => levels.has(l));
}

/** Every entry of every analysed file, worst first. */
export function exposureRows(ws: Workspace, defaults: ResolvedSettings): ExposureRow[] {
  const rows: ExposureRow[] = [];
  for (const f of ws.files) {
    if (!f.analysis) continue;
    const settings = f.settings ?? defaults;
    const findings = [...f.analysis.findings, ...(ws.findings.get(f.path) ?? [])];
    for (const c of serviceMatrix(f.analysis.exposure)) {
      const chain = f.analysis.ruleset.tables.find((t) => t.name === c.table)?.chains.find((x) => x.name === c.chain);
      for (const e of c.entries) {
        const lines = new Set(e.rules.map((r) => r.range.start.line));
        const reach = reachOf(e, c.family, settings.trusted);
        const risk = riskOf(e, settings);
        const iface = e.interface === undefined ? '' : e.interface.startsWith('!') ? ` on interfaces other than ${e.interface.slice(1)}` : ` on ${e.interface}`;
        rows.push({
          path: f.path,
          language: f.analysis.format.id,
          table: c.table,
          chain: c.chain,
          family: c.family,
          protocol: e.protocol,
          ports: e.ports.ranges().map(([a, b]) => [a, b]),
          portLabel: `${e.protocol.toUpperCase()} ${portsLabel(e)}`,
          sources: e.sources.toCidrs(c.family),
          from: describeSources(e.sources, c.family) + iface,
          ...(e.interface !== undefined ? { interface: e.interface } : {}),
          reach,
          ...(risk ? { risk } : {}),
          line: e.rules[0]?.range.start.line ?? chain?.policyRange?.start.line ?? chain?.range.start.line ?? 0,
          approximate: e.approximate,
          codes: [...new Set(findings.filter((x) => lines.has(x.range.start.line) && x.severity !== 'hint').map((x) => x.code))].sort(),
          score: REACH_SCORE[reach] + (risk ? RISK_SCORE[risk] : 0),
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
  const fileNode = (f: WorkspaceFile): FileNode => ({ path: f.path, ...(f.analysis ? { language: f.analysis.format.id } : {}), ...(f.error ? { error: f.error } : {}), score: f.error ? 100 : 0, resources: [] });
  for (const f of ws.files) files.set(f.path, fileNode(f));
  for (const r of exposureRows(ws, defaults)) {
    const file = files.get(r.path)!;
    const res = upsert(file.resources, (x) => x.table === r.table && x.name === r.chain, () => ({ name: r.chain, table: r.table, line: r.line, score: 0, ports: [] }));
    const port = upsert(res.ports, (x) => x.label === r.portLabel, () => ({ label: r.portLabel, protocol: r.protocol, ports: r.ports, line: r.line, score: 0, sources: [] }));
    port.sources.push({ label: r.from, family: r.family, sources: r.sources, ...(r.interface !== undefined ? { interface: r.interface } : {}), reach: r.reach, ...(r.risk ? { risk: r.risk } : {}), line: r.line, approximate: r.approximate, codes: r.codes, score: r.score });
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
export function renderRows(rows: ExposureRow[], ws: WorkspaceExposure, rel: (p: string) => string): string {
  const out: string[] = [];
  const cells = rows.map((r) => [r.risk ?? '-', r.reach, `${rel(r.path)}:${r.line + 1}`, `${r.table}/${r.chain}`, r.portLabel, `${r.from}${r.approximate ? ' (approximate)' : ''}`, r.codes.join(',')]);
  const head = ['RISK', 'REACH', 'FILE', 'RESOURCE', 'PORT', 'FROM', 'FINDINGS'];
  const widths = head.map((h, i) => Math.min(48, Math.max(h.length, ...cells.map((c) => c[i].length))));
  for (const c of [head, ...cells]) out.push(c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i]))).join('  ').trimEnd());
  for (const f of ws.files) if (f.error) out.push(`${rel(f.path)}: error: ${f.error}`);
  for (const f of ws.findings) out.push(`${rel(f.path)}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} ${f.code}: ${f.message}`);
  const analysed = ws.files.filter((f) => !f.error).length;
  out.push(`${analysed} file${analysed === 1 ? '' : 's'}, ${rows.length} exposure${rows.length === 1 ? '' : 's'}${ws.truncated ? ' (file limit reached: not every file was read)' : ''}`);
  return out.join('\n') + '\n';
}
