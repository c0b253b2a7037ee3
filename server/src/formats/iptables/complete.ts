/** Completion for iptables rule lines: commands, options, match modules, targets, chains, ports. */
import { allChains } from '../../model/ruleset';
import type { Completion, CompletionContext } from '../format';
import { BUILTIN_CHAINS, CONTINUE_TARGETS, MATCH_OPTIONS, OTHER_TARGETS, TARGET_OPTIONS, VERDICT_TARGETS } from './options';

const COMMANDS: [string, string][] = [
  ['-A', 'append a rule to a chain'],
  ['-I', 'insert a rule at the top of a chain'],
  ['-N', 'create a user chain'],
  ['-P', 'set a built-in chain policy'],
  ['-F', 'flush a chain'],
  ['-X', 'delete a user chain'],
  ['COMMIT', 'apply the table'],
  ['*filter', 'start the filter table'],
  ['*nat', 'start the nat table'],
];
const BASIC: [string, string][] = [
  ['-p', 'protocol: tcp, udp, icmp, all'],
  ['-s', 'source address or network'],
  ['-d', 'destination address or network'],
  ['-i', 'input interface'],
  ['-o', 'output interface'],
  ['-m', 'load a match module'],
  ['-j', 'jump to a target or chain'],
  ['-g', 'go to a chain (no return)'],
  ['!', 'negate the next match'],
];

export function completeIptables(ctx: CompletionContext): Completion[] {
  const words = ctx.before.trimStart().split(/\s+/);
  const current = words[words.length - 1] ?? '';
  const previous = words[words.length - 2] ?? '';
  if (words.length === 1) return COMMANDS.map(([label, detail]) => ({ label, kind: 'keyword', detail }));
  const chains = [...new Set(allChains(ctx.ruleset).map((c) => c.name))];
  switch (previous) {
    case '-A':
    case '-I':
    case '-N':
    case '-P':
    case '-F':
    case '-X':
    case '-g':
    case '--goto':
      return chains.map((label) => ({ label, kind: 'chain', detail: 'chain' }));
    case '-j':
    case '--jump':
      return [
        ...Object.keys(VERDICT_TARGETS).map((label) => ({ label, kind: 'target' as const, detail: 'verdict' })),
        ...[...CONTINUE_TARGETS, ...OTHER_TARGETS].map((label) => ({ label, kind: 'target' as const, detail: 'extension target' })),
        ...chains
          .filter((c) => !Object.values(BUILTIN_CHAINS).some((b) => c in b))
          .map((label) => ({ label, kind: 'chain' as const, detail: 'user chain' })),
      ];
    case '-m':
    case '--match':
      return Object.keys(MATCH_OPTIONS).map((label) => ({ label, kind: 'module', detail: 'match module' }));
    case '-p':
    case '--protocol':
      return ['tcp', 'udp', 'icmp', 'ipv6-icmp', 'sctp', 'all'].map((label) => ({ label, kind: 'keyword' }));
    case '--dport':
    case '--sport':
    case '--dports':
    case '--sports':
    case '--ports':
    case '--destination-port':
    case '--source-port': {
      const last = current.split(/[,:]/).pop() ?? '';
      return ctx
        .services(last)
        .map((s) => ({
          label: /^\d/.test(last) ? String(s.port) : s.name,
          kind: 'port',
          detail: `${s.port}/${s.protocol} ${s.name}`,
          insertText: /^\d/.test(last) ? String(s.port) : s.name,
          ports: [{ port: s.port, protocol: s.protocol }],
        }));
    }
  }
  if (current.startsWith('-')) {
    // Options of the modules this line loads (plus the implicit protocol module) and of its target.
    const modules = new Set<string>();
    words.forEach((w, i) => {
      if ((w === '-m' || w === '--match' || w === '-p' || w === '--protocol') && words[i + 1]) modules.add(words[i + 1]);
    });
    const target = words.find((w, i) => words[i - 1] === '-j' || words[i - 1] === '--jump');
    const out: Completion[] = BASIC.map(([label, detail]) => ({ label, kind: 'option', detail }));
    for (const m of modules) for (const o of Object.keys(MATCH_OPTIONS[m] ?? {})) out.push({ label: o, kind: 'option', detail: `-m ${m}` });
    if (target) for (const o of Object.keys(TARGET_OPTIONS[target] ?? {})) out.push({ label: o, kind: 'option', detail: `-j ${target}` });
    return out;
  }
  return [];
}
