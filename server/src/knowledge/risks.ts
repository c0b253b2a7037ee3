/**
 * The curated risk catalogue: ports that should not be reachable from the whole internet, why, and what to do.
 * Sources: the vendors' own hardening guides, CISA advisories, and the lists used by KICS, Trivy and
 * Checkov (facts only; wording is ours).
 */
import type { Transport } from './registry';

export type RiskLevel = 'high' | 'medium' | 'low';

export interface Risk {
  /** Inclusive port range the entry covers (most are one port). */
  ports: readonly [number, number];
  protocols: readonly Transport[];
  service: string;
  level: RiskLevel;
  /** Why exposure is dangerous, one or two sentences. */
  why: string;
  /** What to do instead. */
  advice: string;
  references?: readonly string[];
}

export const RISKS: readonly Risk[] = [
  {
    ports: [3389, 3389], protocols: ['tcp', 'udp'], service: 'RDP (Windows Remote Desktop)', level: 'high',
    why: 'Remote Desktop is one of the most attacked services on the internet: password spraying, and pre-authentication bugs such as BlueKeep (CVE-2019-0708) give attackers a foothold for ransomware.',
    advice: 'Allow RDP only from a VPN or bastion network, or put it behind an RD Gateway with MFA.',
    references: ['https://www.cisa.gov/news-events/alerts/2019/06/17/microsoft-operating-systems-bluekeep-vulnerability'],
  },
];

export function risksFor(port: number, protocol: Transport): Risk[] {
  return RISKS.filter((r) => port >= r.ports[0] && port <= r.ports[1] && r.protocols.includes(protocol));
}
