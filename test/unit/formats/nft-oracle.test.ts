/** Acceptance compared with the real `nft -c -f` (run inside a throwaway network namespace, so the host is untouched). */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'node:test';
import { parseNftables } from '../../../server/src/formats/nftables/parse';
import { CORPUS, ctx } from './helpers';

function whyNot(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'needs root (network namespace)';
  for (const tool of ['nft', 'ip'])
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} not installed (scripts/setup-test-deps.sh installs it)`;
  return undefined;
}

/** A small seeded generator (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(seed: number): string {
  const rand = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const fam = pick(['ip', 'ip6', 'inet']);
  const addr = () =>
    fam === 'ip6' ? pick(['2001:db8::/32', 'fe80::1', '::1']) : pick(['10.0.0.0/8', '192.0.2.1', '198.51.100.0/24', '10.0.0.1-10.0.0.9']);
  const port = () => pick(['22', '80', '443', '1000-2000', 'ssh', 'https', '{ 22, 80 }', '60000-29', '70000', '53']);
  const chainName = () => pick(['svc', 'web', 'input_x', 'reject', 'GOOD~STUFF', 'a.b']);
  const lines = [
    `table ${fam} t${seed} {`,
    '  chain input {',
    `    type filter hook input priority ${pick(['0', 'filter', '-10'])}; policy ${pick(['accept', 'drop'])};`,
  ];
  const user = chainName();
  const n = 3 + Math.floor(rand() * 6);
  for (let k = 0; k < n; k++) {
    const parts: string[] = [];
    if (rand() < 0.4) parts.push(`${fam === 'ip6' ? 'ip6' : 'ip'} saddr ${rand() < 0.2 ? '!= ' : ''}${addr()}`);
    if (rand() < 0.6) parts.push(`${pick(['tcp', 'udp'])} dport ${port()}`);
    if (rand() < 0.3) parts.push(`ct state ${pick(['new', 'established,related', '{ established, related }'])}`);
    if (rand() < 0.2) parts.push(`iifname ${pick(['"eth0"', 'lo', '"wg*"'])}`);
    if (rand() < 0.3) parts.push('counter');
    parts.push(rand() < 0.15 ? `jump ${user}` : pick(['accept', 'drop', 'reject', 'reject with tcp reset', 'return']));
    lines.push(`    ${parts.join(' ')}`);
  }
  lines.push('  }', `  chain ${user} {`, `    tcp dport ${port()} accept`, '  }', '}');
  return lines.join('\n') + '\n';
}

test('nft -c agrees: files nft accepts parse with no error here', (t) => {
  const reason = whyNot();
  if (reason) return t.skip(reason);
  const ns = `pc-nft-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-nft-'));
  try {
    const nftAccepts = (file: string) => spawnSync('ip', ['netns', 'exec', ns, 'nft', '-c', '-f', file], { encoding: 'utf8' }).status === 0;
    const files: { name: string; file: string; text: string }[] = [];
    for (const d of ['nftables', 'nftables-translated']) {
      const dir = path.join(CORPUS, d);
      if (!fs.existsSync(dir)) continue;
      for (const f of fs
        .readdirSync(dir)
        .filter((x) => !x.endsWith('.md'))
        .sort())
        files.push({ name: `${d}/${f}`, file: path.join(dir, f), text: fs.readFileSync(path.join(dir, f), 'utf8') });
    }
    for (let s = 1; s <= 30; s++) {
      const text = generate(s);
      const file = path.join(tmp, `gen-${s}.nft`);
      fs.writeFileSync(file, text);
      files.push({ name: `generated #${s}`, file, text });
    }
    let accepted = 0;
    let rejected = 0;
    let rejectedAgree = 0;
    const falseErrors: string[] = [];
    const missed: string[] = [];
    for (const f of files) {
      const problems = parseNftables(f.text, ctx).problems.filter((p) => p.severity === 'error');
      if (nftAccepts(f.file)) {
        accepted++;
        if (problems.length)
          falseErrors.push(`${f.name}: ${problems.map((p) => `${p.code}@${p.range.start.line + 1} ${p.message}`).join('; ')}`);
      } else {
        rejected++;
        if (problems.length) rejectedAgree++;
        else missed.push(f.name);
      }
    }
    t.diagnostic(
      `nft -c: ${accepted} accepted (${accepted - falseErrors.length} with no error here), ${rejected} rejected (${rejectedAgree} with an error here${missed.length ? `; missed: ${missed.join(', ')}` : ''})`,
    );
    assert.deepEqual(falseErrors, []);
  } finally {
    spawnSync('ip', ['netns', 'delete', ns]);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
