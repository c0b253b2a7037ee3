import type { Completion, CompletionContext, Format } from '../format';
import { composeClaims } from './claims';
import { composeEdits } from './edits';
import { parseCompose } from './parse';

export const composeFormat: Format = {
  ...composeClaims,
  parse: (text, ctx) => parseCompose(text, ctx),
  edits: composeEdits,
  complete: completeCompose,
};

/**
 * In a `ports:` list, service names complete to a mapping of their port ("postgresql" → "5432:5432").
 * The list is found by looking up from the cursor for the nearest less-indented key.
 */
function completeCompose(ctx: CompletionContext): Completion[] {
  const m = /^(\s*)-\s*(["']?)([A-Za-z][\w-]*)?$/.exec(ctx.before);
  if (!m || !ctx.lines || ctx.line === undefined) return [];
  const indent = m[1].length;
  let inPorts = false;
  for (let l = ctx.line - 1; l >= 0; l--) {
    const k = /^(\s*)([A-Za-z_][\w-]*):/.exec(ctx.lines[l]);
    if (k && k[1].length <= indent) {
      inPorts = k[2] === 'ports';
      break;
    }
  }
  if (!inPorts) return [];
  const seen = new Set<string>();
  return ctx
    .services(m[3] ?? '')
    .filter((e) => e.protocol === 'tcp' || e.protocol === 'udp')
    .flatMap((e) => {
      const value = `${e.port}:${e.port}${e.protocol === 'udp' ? '/udp' : ''}`;
      if (seen.has(`${e.name}/${value}`)) return [];
      seen.add(`${e.name}/${value}`);
      // The editor replaces the typed word; an opening quote already typed gets its closing one.
      return [
        {
          label: e.name,
          kind: 'service' as const,
          detail: `${value} — ${e.description}`,
          insertText: m[2] ? `${value}${m[2]}` : `"${value}"`,
        },
      ];
    });
}
