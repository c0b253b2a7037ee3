/** Generated rulesets for depth, width and size: shared by the robustness tests and bench/scale.mjs. */

/** `/24` number i inside 10.0.0.0/8. */
export const net = (i: number): string => `10.${(i >> 8) & 255}.${i & 255}.0/24`;

const head = ['*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]'];

/**
 * INPUT → C0 → C1 → … → C(n-1). Chain i returns SSH from its own /24, accepts TCP port 20000+i, and jumps on;
 * the last chain accepts SSH. So SSH is open to everything but the n networks, and every 20000+i is open.
 */
export function deepChain(n: number): string {
  const lines = [...head];
  for (let i = 0; i < n; i++) lines.push(`:C${i} - [0:0]`);
  lines.push('-A INPUT -j C0');
  for (let i = 0; i < n; i++) {
    lines.push(`-A C${i} -s ${net(i)} -p tcp --dport 22 -j RETURN`, `-A C${i} -p tcp --dport ${20000 + i} -j ACCEPT`);
    lines.push(i + 1 < n ? `-A C${i} -j C${i + 1}` : `-A C${i} -p tcp --dport 22 -j ACCEPT`);
  }
  return [...lines, 'COMMIT', ''].join('\n');
}

/** INPUT jumps to each of n chains; chain i accepts TCP port 20000+i from its own /24 only. */
export function wideChains(n: number): string {
  const lines = [...head];
  for (let i = 0; i < n; i++) lines.push(`:W${i} - [0:0]`);
  for (let i = 0; i < n; i++) lines.push(`-A INPUT -j W${i}`);
  for (let i = 0; i < n; i++) lines.push(`-A W${i} -s ${net(i)} -p tcp --dport ${20000 + i} -j ACCEPT`);
  return [...lines, 'COMMIT', ''].join('\n');
}

/**
 * A ruleset of about `bytes` characters made of copies of `base` (an iptables-save file): each copy's user
 * chains get their own names, built-in chains collect every copy's rules, and only the first copy's
 * table header and COMMIT are kept.
 */
export function replicate(base: string, bytes: number): string {
  const lines = base.split('\n');
  const user = new Set(lines.filter((l) => l.startsWith(':') && l.includes(' - ')).map((l) => l.slice(1).split(' ')[0]));
  const filter = lines.slice(
    lines.findIndex((l) => l === '*filter') + 1,
    lines.findIndex((l, i) => l === 'COMMIT' && i > lines.indexOf('*filter')),
  );
  const builtinDecl = filter.filter((l) => l.startsWith(':') && !l.includes(' - '));
  const body = filter.filter((l) => !builtinDecl.includes(l));
  const rename = (l: string, k: number): string => l.replace(/(^:|-A |-[jg] )([^\s]+)/g, (m, pre, name) => (user.has(name) ? `${pre}${name}_${k}` : m));
  const out = ['*filter', ...builtinDecl];
  let size = 0;
  for (let k = 0; size < bytes; k++) {
    for (const l of body) {
      const r = rename(l, k);
      out.push(r);
      size += r.length + 1;
    }
  }
  return [...out, 'COMMIT', ''].join('\n');
}
