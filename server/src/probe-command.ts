/**
 * The probe and scan-import commands behind `workspace/executeCommand`, independent of the LSP wiring so any
 * client (VS Code, Neovim, a test) gets the same behaviour: ports from the file or from the arguments,
 * progress events, cancellation, and a report whose drift findings the server then shows on the file.
 */
import { readRegularFileAsync } from './io/read-file';
import type { Analysis } from './analysis';
import { buildReport, planFromFile, type ProbeReport } from './features/probe-report';
import { NmapXmlError, parseNmapXml } from './probe/nmap-xml';
import { probe, ProbeError, type ProbeRun } from './probe/probe';
import { parsePortList, PortListError } from './probe/ports';
import type { PortSpec, ProbeOptions, ProbeProgress } from './probe/types';

export const PROBE_COMMAND = 'portcullis.probe';
export const IMPORT_COMMAND = 'portcullis.importScan';
/** The ports a probe with the same arguments would try, without probing (for confirmations and previews). */
export const PLAN_COMMAND = 'portcullis.probePlan';

export interface ProbeArgs {
  /** The file whose ports are probed and compared (optional when `ports` is given). */
  uri?: string;
  target: string;
  /** "22,80,443,1000-2000" or "53/udp"; default: the ports the file names. */
  ports?: string;
  /** Also probe UDP (ports without a /protocol suffix, and the file's UDP ports). */
  udp?: boolean;
  timeoutMs?: number;
  concurrency?: number;
  retries?: number;
  banner?: boolean;
}

export interface ImportArgs {
  uri?: string;
  /** Path of an `nmap -oX` file, or its text in `xml`. */
  path?: string;
  xml?: string;
  /** Which scanned host to show when the file has several (address or name); default: the first with ports. */
  host?: string;
}

/** A command argument error: reported to the client as the request's error message. */
export class CommandError extends Error {}

/** Errors that come from what the user asked for (not from a bug): shown as a message, never a stack. */
export function isUserError(e: unknown): e is Error {
  return e instanceof CommandError || e instanceof ProbeError || e instanceof PortListError || e instanceof NmapXmlError;
}

function argObject<T>(raw: unknown, command: string, required: string): T {
  const a = Array.isArray(raw) ? raw[0] : raw;
  if (!a || typeof a !== 'object') throw new CommandError(`${command} takes one object argument with at least \`${required}\``);
  return a as T;
}

export function probePlan(args: ProbeArgs, fa: Analysis | undefined): PortSpec[] {
  if (args.ports?.trim()) return parsePortList(args.ports, args.udp ? ['tcp', 'udp'] : ['tcp']);
  if (!fa) throw new CommandError('give `ports`, or the `uri` of an open firewall file whose ports to probe');
  const plan = planFromFile(fa, !!args.udp);
  if (!plan.length)
    throw new CommandError(
      `the file names no ${args.udp ? '' : 'TCP '}ports to probe; give a port list${args.udp ? '' : ', or include UDP'}`,
    );
  return plan;
}

export async function runPlan(raw: unknown, fa: (uri: string) => Promise<Analysis | undefined>): Promise<PortSpec[]> {
  const args = argObject<ProbeArgs>(raw, PLAN_COMMAND, 'uri');
  return probePlan(args, args.uri ? await fa(args.uri) : undefined);
}

export async function runProbe(
  raw: unknown,
  fa: (uri: string) => Promise<Analysis | undefined>,
  hooks: { signal: AbortSignal; onProgress: (p: ProbeProgress) => void },
): Promise<ProbeReport> {
  const args = argObject<ProbeArgs>(raw, PROBE_COMMAND, 'target');
  if (typeof args.target !== 'string' || !args.target.trim())
    throw new CommandError(`${PROBE_COMMAND}: \`target\` (a host name or address) is required`);
  const analysis = args.uri ? await fa(args.uri) : undefined;
  const ports = probePlan(args, analysis);
  const options: Partial<ProbeOptions> = {};
  for (const k of ['timeoutMs', 'concurrency', 'retries'] as const) if (typeof args[k] === 'number') options[k] = args[k];
  if (typeof args.banner === 'boolean') options.banner = args.banner;
  const at = new Date().toISOString();
  const run = await probe(args.target.trim(), ports, options, hooks);
  return buildReport(run, at, 'probe', analysis);
}

export async function runImport(raw: unknown, fa: (uri: string) => Promise<Analysis | undefined>): Promise<ProbeReport> {
  const args = argObject<ImportArgs>(raw, IMPORT_COMMAND, 'path');
  let xml = args.xml;
  if (xml === undefined) {
    if (!args.path) throw new CommandError(`${IMPORT_COMMAND}: give \`path\` (an nmap -oX file) or \`xml\``);
    const read = await readRegularFileAsync(args.path);
    if (!read.ok) throw new CommandError(`cannot read ${args.path}: ${read.reason}`);
    xml = read.text;
  }
  return importReport(xml, args.host, args.uri ? await fa(args.uri) : undefined);
}

/** An `nmap -oX` scan as a report for one of its hosts, compared with the file when there is one. */
export function importReport(xml: string, host: string | undefined, fa: Analysis | undefined): ProbeReport {
  const scan = parseNmapXml(xml);
  return buildReport(pickHost(scan.hosts, host), scan.startedAt ?? new Date().toISOString(), `${scan.scanner} (imported)`, fa);
}

function pickHost(hosts: ProbeRun[], host: string | undefined): ProbeRun {
  if (!hosts.length) throw new CommandError('the scan has no hosts');
  if (host) {
    const h = hosts.find((x) => x.address === host || x.target === host);
    if (!h) throw new CommandError(`the scan has no host ${host} (it has ${hosts.map((x) => x.target).join(', ')})`);
    return h;
  }
  return hosts.find((x) => x.results.length > 0) ?? hosts[0];
}
