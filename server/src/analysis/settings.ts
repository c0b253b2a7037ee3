/**
 * User settings that shape analysis. Editors send them through workspace/configuration; the CLI and editors
 * without configuration support read the same keys from `.portcullis.json` in the workspace.
 */
import { AddressSet } from '../model/addresses';
import type { Severity } from '../model/finding';
import { RISKS, catalogue, parseRiskSpecs, type RiskCatalogue } from '../knowledge/risks';

export interface Settings {
  /** Networks whose access is not reported (management VPN, bastion hosts). */
  trustedSources: string[];
  /** Extra ports to treat as risky: "8443/tcp", "9000" (both TCP and UDP), "7000-7010/udp". */
  riskyPorts: string[];
  /** Severity per code; "off" hides the code. */
  severity: Record<string, Severity | 'off'>;
  /** Largest input analysed, in MB (files and open documents). */
  maxFileSize: number;
  /** Editor inlay hints (service names, resolved ports, verdicts); on unless `enabled` is false. */
  inlayHints?: { enabled?: boolean };
}

export const DEFAULT_SETTINGS: Settings = { trustedSources: [], riskyPorts: [], severity: {}, maxFileSize: 20 };

export interface ResolvedSettings {
  trusted: AddressSet;
  risks: RiskCatalogue;
  severity: Record<string, Severity | 'off'>;
  /** The input size limit in bytes. */
  maxBytes: number;
  inlayHints: boolean;
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
  const extra = parseRiskSpecs(Array.isArray(s.riskyPorts) ? s.riskyPorts.map(String) : []);
  errors.push(...extra.errors.map((e) => `portcullis.riskyPorts: ${e}`));
  const severity: Record<string, Severity | 'off'> = {};
  for (const [code, sev] of Object.entries(s.severity ?? {})) {
    if (SEVERITIES.has(sev)) severity[code.toUpperCase()] = sev;
    else errors.push(`portcullis.severity: \`${sev}\` for ${code} is not one of error, warning, information, hint, off`);
  }
  let maxBytes = DEFAULT_SETTINGS.maxFileSize * 1048576;
  if (typeof s.maxFileSize === 'number' && s.maxFileSize >= 1 && s.maxFileSize <= 1024) maxBytes = Math.round(s.maxFileSize * 1048576);
  else if (s.maxFileSize !== undefined)
    errors.push(`portcullis.maxFileSize: \`${s.maxFileSize}\` is not a number of MB between 1 and 1024`);
  return { trusted, risks: catalogue([...RISKS, ...extra.risks]), severity, inlayHints: s.inlayHints?.enabled !== false, maxBytes, errors };
}
