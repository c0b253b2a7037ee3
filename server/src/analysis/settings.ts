/**
 * User settings that shape analysis. Editors send them through workspace/configuration; the CLI and editors
 * without configuration support read the same keys from `.portcullis.json` in the workspace.
 */
import { AddressSet } from '../model/addresses';
import type { Severity } from '../model/finding';
import { RISKS, type Risk } from '../knowledge/risks';
import type { Transport } from '../knowledge/registry';

export interface Settings {
  /** Networks whose access is not reported (management VPN, bastion hosts). */
  trustedSources: string[];
  /** Extra ports to treat as risky: "8443/tcp", "9000" (both TCP and UDP), "7000-7010/udp". */
  riskyPorts: string[];
  /** Severity per code; "off" hides the code. */
  severity: Record<string, Severity | 'off'>;
}

export const DEFAULT_SETTINGS: Settings = { trustedSources: [], riskyPorts: [], severity: {} };

export interface ResolvedSettings {
  trusted: AddressSet;
  risks: readonly Risk[];
  severity: Record<string, Severity | 'off'>;
  /** Problems in the settings themselves, shown to the user rather than silently ignored. */
  errors: string[];
}

const SEVERITIES = new Set(['error', 'warning', 'information', 'hint', 'off']);

export function resolveSettings(input: Partial<Settings> | undefined): ResolvedSettings {
  const s = { ...DEFAULT_SETTINGS, ...(input ?? {}) };
  const errors: string[] = [];
  let trusted = AddressSet.NONE;
  for (const t of Array.isArray(s.trustedSources) ? s.trustedSources : []) {
    const a = AddressSet.parse(String(t).trim());
    if (a) trusted = trusted.union(a);
    else errors.push(`portcullis.trustedSources: \`${t}\` is not an address or CIDR network`);
  }
  const extra: Risk[] = [];
  for (const spec of Array.isArray(s.riskyPorts) ? s.riskyPorts : []) {
    const m = /^\s*(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp))?\s*$/i.exec(String(spec));
    const lo = m ? Number(m[1]) : NaN;
    const hi = m?.[2] ? Number(m[2]) : lo;
    if (!m || lo > 65535 || hi > 65535 || lo > hi) {
      errors.push(`portcullis.riskyPorts: \`${spec}\` is not a port, range or port/protocol such as 8443/tcp`);
      continue;
    }
    const protocols: Transport[] = m[3] ? [m[3].toLowerCase() as Transport] : ['tcp', 'udp'];
    extra.push({ ports: [lo, hi], protocols, service: `port ${spec} (your settings)`, level: 'high', why: 'Listed as risky in your Portcullis settings (portcullis.riskyPorts).', advice: 'Allow it only from the networks that need it.' });
  }
  const severity: Record<string, Severity | 'off'> = {};
  for (const [code, sev] of Object.entries(s.severity ?? {})) {
    if (SEVERITIES.has(sev)) severity[code.toUpperCase()] = sev;
    else errors.push(`portcullis.severity: \`${sev}\` for ${code} is not one of error, warning, information, hint, off`);
  }
  return { trusted, risks: [...RISKS, ...extra], severity, errors };
}

/** Catalogue entries that overlap a port range for a protocol. */
export function risksIn(risks: readonly Risk[], lo: number, hi: number, protocol: string): Risk[] {
  return risks.filter((r) => r.ports[0] <= hi && r.ports[1] >= lo && (r.protocols as readonly string[]).includes(protocol));
}
