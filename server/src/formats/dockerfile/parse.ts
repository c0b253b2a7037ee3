/**
 * Dockerfile → model: each stage is a chain (table `Dockerfile`, chain = stage name) holding its EXPOSE ports as
 * declared listeners. EXPOSE publishes nothing by itself, so no chain is hooked and nothing is exposed.
 * `$VAR` and `${VAR:-default}` resolve from the stage's ARG and ENV defaults.
 */
import type { Finding } from '../../model/finding';
import type { Chain, PortItem, Ruleset, Table } from '../../model/ruleset';
import type { ParseContext } from '../format';
import { listenerRule, parsePortRange, resourceChain } from '../listener';
import { interpolate } from '../interpolate';

export function parseDockerfile(text: string, _ctx: ParseContext): Ruleset {
  const lines = text.split('\n');
  const problems: Finding[] = [];
  const table: Table = {
    name: 'Dockerfile',
    family: 'both',
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    chains: [],
  };
  let chain: Chain | undefined;
  let vars = new Map<string, string>();
  const global = new Map<string, string>();
  let id = 0;
  let escape = '\\';
  for (let n = 0; n < lines.length; n++) {
    const first = lines[n].replace(/\r$/, '');
    const directive = /^#\s*escape\s*=\s*(\S)/i.exec(first);
    if (directive && !chain) escape = directive[1];
    if (/^\s*(#|$)/.test(first)) continue;
    // Continuation lines: the instruction's words with their line and column.
    const words: { text: string; line: number; start: number }[] = [];
    let line = n;
    let cur = first;
    for (;;) {
      const cont = cur.trimEnd().endsWith(escape);
      const body = cont ? cur.trimEnd().slice(0, -1) : cur;
      for (const m of body.matchAll(/\S+/g)) words.push({ text: m[0], line, start: m.index });
      if (!cont || line + 1 >= lines.length) break;
      line++;
      cur = lines[line].replace(/\r$/, '');
      while (/^\s*#/.test(cur) && line + 1 < lines.length) cur = lines[++line].replace(/\r$/, '');
    }
    n = line;
    if (!words.length) continue;
    const instr = words[0].text.toUpperCase();
    const args = words.slice(1);
    const at = (w: { line: number; start: number; text: string }, from = 0, len = w.text.length) => ({
      start: { line: w.line, character: w.start + from },
      end: { line: w.line, character: w.start + from + len },
    });
    if (instr === 'FROM') {
      const as = args.findIndex((a) => a.text.toUpperCase() === 'AS');
      const nameWord = as >= 0 ? args[as + 1] : undefined;
      // Unnamed stages are known by their base image, as `docker build --target` cannot name them anyway.
      const name = nameWord?.text ?? args.find((a) => !a.text.startsWith('--'))?.text ?? `stage ${table.chains.length}`;
      chain = resourceChain('Dockerfile', name, `Dockerfile stage ${name}`, at(nameWord ?? words[0]), false);
      table.chains.push(chain);
      vars = new Map(global);
    } else if (instr === 'ARG' || instr === 'ENV') {
      const target = chain ? vars : global;
      const pairs = args.map((a) => /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(a.text));
      if (instr === 'ENV' && args.length >= 2 && !args[0].text.includes('='))
        target.set(
          args[0].text,
          args
            .slice(1)
            .map((a) => a.text)
            .join(' '),
        );
      else for (const p of pairs) if (p && p[2] !== undefined) target.set(p[1], p[2].replace(/^["']|["']$/g, ''));
    } else if (instr === 'EXPOSE') {
      if (!chain) {
        chain = resourceChain('Dockerfile', 'image', 'Dockerfile image', at(words[0]), false);
        table.chains.push(chain);
      }
      if (!args.length)
        problems.push({
          code: 'PC001',
          severity: 'error',
          range: at(words[0]),
          message: 'EXPOSE needs at least one port (e.g. EXPOSE 8080 or EXPOSE 53/udp).',
        });
      for (const a of args) {
        const iv = interpolate(a.text, vars);
        if (iv.unresolved.length) continue; // a build argument given at build time: unknown here, not an error
        const m = /^(\d+(?:-\d+)?)(?:\/(tcp|udp|sctp))?$/i.exec(iv.text);
        const r = m && parsePortRange(m[1]);
        if (!m || !r) {
          problems.push({
            code: 'PC001',
            severity: 'error',
            range: at(a),
            message: `EXPOSE \`${a.text}\` is not a port, a range or port/protocol (tcp or udp).`,
          });
          continue;
        }
        if (r.lo < 1 || r.hi > 65535 || r.hi < r.lo) {
          problems.push({
            code: r.hi < r.lo ? 'PC003' : 'PC002',
            severity: 'error',
            range: at(a),
            message: `EXPOSE \`${a.text}\`: ${r.hi < r.lo ? 'the range is reversed' : 'ports are 1–65535'}.`,
          });
          continue;
        }
        const len = iv.text === a.text ? m[1].length : a.text.length;
        const item: PortItem = { text: iv.text === a.text ? m[1] : `${a.text} (= ${m[1]})`, range: at(a, 0, len), lo: r.lo, hi: r.hi };
        listenerRule(chain, id++, {
          range: at(a),
          protocol: (m[2] ?? 'tcp').toLowerCase(),
          items: [item],
          listener: { published: false, via: 'EXPOSE (published only with docker run -p/-P or compose ports:)', role: 'expose' },
        });
      }
    }
  }
  return { format: 'dockerfile', family: 'both', tables: [table], problems };
}
