/**
 * A probe run (or an imported nmap scan) set beside what the file says: per port the expected state from
 * the exposure analysis, the service name, where the file names the port, and drift findings. Shared by the
 * server's probe command and the CLI; features/probe-render.ts turns it into text, Markdown and JSON.
 */
import { driftFindings } from '../analysis/drift';
import { expectation, listedPorts, type Expected, type ListedPort } from '../analysis/expectations';
import { serviceAt } from '../knowledge/registry';
import type { Analysis } from '../analysis';
import type { Finding } from '../model/finding';
import { looksProxied, type ProbeRun } from '../probe/probe';
import type { PortSpec, ProbeResult } from '../probe/types';

export interface ReportRow extends ProbeResult {
  service?: string;
  expected?: Expected;
  /** 0-based line where the file names this port. */
  line?: number;
  drift?: 'PC201' | 'PC202';
}

export interface ProbeReport {
  target: string;
  address: string;
  /** ISO time the probe ran (or the imported scan started). */
  at: string;
  /** "probe" or where the results came from, e.g. "nmap 7.93 (imported)". */
  source: string;
  cancelled: boolean;
  results: ReportRow[];
  findings: Finding[];
  /** Cautions about the run as a whole, e.g. every port answering (a proxy in the way). */
  notes: string[];
}

/** The ports a file names, as a probe plan: TCP always, UDP when asked for. */
export function planFromFile(fa: Analysis, udp: boolean): PortSpec[] {
  return listedPorts(fa.ruleset, fa.exposure)
    .filter((l) => udp || l.protocol === 'tcp')
    .map((l) => ({ port: l.port, protocol: l.protocol }));
}

export function buildReport(run: ProbeRun, at: string, source: string, fa?: Analysis): ProbeReport {
  const listed: ListedPort[] = fa ? listedPorts(fa.ruleset, fa.exposure) : [];
  const findings = fa ? driftFindings(listed, run.results, { host: run.target, address: run.address, at }) : [];
  const drifted = new Map(findings.map((f) => [`${f.data?.port}/${f.data?.protocol}`, f.code as 'PC201' | 'PC202']));
  const results = run.results.map((r): ReportRow => {
    const key = `${r.port}/${r.protocol}`;
    const l = listed.find((x) => x.port === r.port && x.protocol === r.protocol);
    const service = serviceAt(r.port, r.protocol)?.name;
    return {
      ...r,
      ...(service ? { service } : {}),
      ...(fa ? { expected: l?.expected ?? expectation(fa.exposure, r.port, r.protocol) } : {}),
      ...(l ? { line: l.line } : {}),
      ...(drifted.has(key) ? { drift: drifted.get(key) } : {}),
    };
  });
  const notes = looksProxied(run.results)
    ? [
        `every one of the ${run.results.filter((r) => r.protocol === 'tcp').length} TCP ports answered: a transparent proxy or middlebox may be answering for ${run.target}, so "open" may not be the host itself`,
      ]
    : [];
  return { target: run.target, address: run.address, at, source, cancelled: run.cancelled, results, findings, notes };
}
