import type { Severity } from './finding';

/** Every diagnostic code the product emits, with its default severity; docs/diagnostics/<code>.md explains each. */
export const CODES = {
  PC001: { title: 'Syntax error', severity: 'error' },
  PC002: { title: 'Port out of range', severity: 'error' },
  PC003: { title: 'Empty or reversed port range', severity: 'error' },
  PC004: { title: 'Port match without a transport protocol', severity: 'error' },
  PC005: { title: 'Jump to an undefined chain', severity: 'error' },
  PC006: { title: 'Rule outside a table or table without COMMIT', severity: 'error' },
  PC007: { title: 'Malformed address', severity: 'error' },
  PC008: { title: 'Unknown option', severity: 'warning' },
  PC009: { title: 'Obsolete syntax', severity: 'information' },
  PC010: { title: 'Unused chain', severity: 'hint' },
  PC011: { title: 'Unknown service name', severity: 'error' },
  PC012: { title: 'Quick-fix placeholder left unchanged', severity: 'hint' },
  PC013: { title: 'Two NSG rules share a priority', severity: 'error' },
  PC014: { title: 'Terraform module not analysed', severity: 'information' },
  PC101: { title: 'Risky port reachable from any source', severity: 'warning' },
  PC102: { title: 'Port range covers risky ports', severity: 'warning' },
  PC103: { title: 'Default-allow policy', severity: 'warning' },
  PC104: { title: 'Rule accepts all traffic', severity: 'warning' },
  PC105: { title: 'Shadowed rule', severity: 'warning' },
  PC106: { title: 'Redundant rule', severity: 'information' },
  PC107: { title: 'IPv6 exposes what IPv4 blocks', severity: 'warning' },
  PC120: { title: 'Database published on every host address', severity: 'warning' },
  PC121: { title: 'Workload shares the host network', severity: 'warning' },
  PC122: { title: 'Load balancer open to any source', severity: 'information' },
  PC123: { title: 'Pods no network policy selects', severity: 'information' },
  PC124: { title: 'Template, not analysed', severity: 'information' },
  PC125: { title: 'hostPort opens a port on every node', severity: 'information' },
  PC126: { title: 'Risky port declared (not published)', severity: 'information' },
  PC127: { title: 'Duplicate services entry', severity: 'warning' },
  PC128: { title: 'Service name differs from IANA', severity: 'information' },
  PC201: { title: 'Probe: blocked port answers on the host', severity: 'warning' },
  PC202: { title: 'Probe: allowed port does not answer', severity: 'information' },
  PC301: { title: 'Docker-published port bypasses the host firewall', severity: 'warning' },
} as const satisfies Record<string, { title: string; severity: Severity }>;

export type Code = keyof typeof CODES;

export const DOCS_BASE = 'https://github.com/portcullis-dev/portcullis/blob/main/docs/diagnostics/';

export function docUrl(code: string): string {
  return `${DOCS_BASE}${code}.md`;
}
