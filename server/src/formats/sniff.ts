/**
 * Which firewall format a file's text looks like, from its first statements, for files opened as plain text or
 * with an unknown language. Conservative: a `.conf` that is not firewall rules (nginx, sshd …) must never be
 * claimed, so each format needs a line only it writes. No dependencies: the VS Code client bundles it.
 */
export type Sniffed = 'iptables' | 'nftables' | 'pf' | 'firewalld';

/** nftables: `table [family] name {`, `flush ruleset`, `add|delete rule|chain|table <family> …`. */
const NFT = /^(table\s+((ip|ip6|inet|arp|bridge|netdev)\s+)?[\w.-]+\s*\{|flush\s+ruleset$|(add|delete)\s+(rule|chain|table)\s+(ip|ip6|inet|arp|bridge|netdev)\s)/;

/** Looks at the first 40 lines that are neither blank nor comments. */
export function sniffFormat(text: string): Sniffed | undefined {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).slice(0, 40);
  if (!lines.length) return undefined;
  // iptables-save: a table header, then chain declarations or rules.
  if (lines.some((l) => /^\*(filter|nat|mangle|raw|security)$/.test(l)) && lines.some((l) => /^(:[\w-]+ (ACCEPT|DROP|-)|-A [\w-]+ |COMMIT$)/.test(l))) return 'iptables';
  if (lines.some((l) => NFT.test(l))) return 'nftables';
  // firewalld: a <zone>, <service> or <policy> document.
  if (lines.slice(0, 3).some((l) => /^<(zone|service|policy|ipset|icmptype)(\s[^>]*)?>$/.test(l))) return 'firewalld';
  // pf: at least two rules `pass|block|match [in|out|quick|log|all …]`, or one and a pf-only statement.
  const rules = lines.filter((l) => /^(pass|block|match)(\s+(in|out|quick|log|all|on|inet6?|proto|from|drop|return)\b|$)/.test(l)).length;
  const pfOnly = lines.some((l) => /^(set\s+skip\s+on|scrub\s+in|antispoof\s|table\s+<[^>]+>|anchor\s+"|nat-anchor|rdr-anchor|altq\s+on)/.test(l));
  if (rules >= 2 || (rules >= 1 && pfOnly)) return 'pf';
  return undefined;
}
