/** Port/service proposals shared by the formats' completers: common services first, numbers when typing digits. */
import type { Completion, CompletionContext } from './format';

export function portCompletions(ctx: CompletionContext, typed: string, protocol = 'tcp'): Completion[] {
  const digits = /^\d/.test(typed);
  return ctx.services(typed).map((s) => ({
    label: digits ? String(s.port) : s.name,
    kind: 'port',
    detail: `${s.port}/${protocol === 'udp' ? 'udp' : s.protocol} ${s.name}`,
    ports: [{ port: s.port, protocol }],
  }));
}

/** Names a document declares with a pattern (nft `define X`, `set X {`; pf `X = …`, `table <X>`), in order. */
export function declaredNames(lines: string[], pattern: RegExp): string[] {
  const out = new Set<string>();
  for (const line of lines) {
    const m = pattern.exec(line);
    if (m) out.add(m[1]);
  }
  return [...out];
}
