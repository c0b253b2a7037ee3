/**
 * /etc/services-format files: `name port/protocol [aliases…] [# comment]`. Each entry becomes a declared
 * listener (nothing is exposed by naming a port), so hovers and the "listed ports" work as elsewhere.
 * Checks here are about the file itself: syntax, duplicates, and names that IANA registers elsewhere.
 */
import type { Finding } from '../../model/finding';
import { range } from '../../model/range';
import type { Ruleset, Table } from '../../model/ruleset';
import type { ParseContext } from '../format';
import { listenerRule, resourceChain } from '../listener';

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp', 'dccp', 'ddp']);
const NAME = /^[A-Za-z0-9][A-Za-z0-9._+*/-]*$/;

export interface ServiceEntry {
  name: string;
  port: number;
  protocol: string;
  aliases: string[];
  line: number;
}

export function parseServices(text: string, ctx: ParseContext): Ruleset {
  const lines = text.split('\n');
  const problems: Finding[] = [];
  const chain = resourceChain('services', 'services', 'services file', range(0, 0, 0), false);
  const table: Table = { name: 'services', family: 'both', range: range(0, 0, 0), chains: [chain] };
  const byNameProto = new Map<string, ServiceEntry>();
  const byPortProto = new Map<string, ServiceEntry>();
  let id = 0;
  lines.forEach((raw, n) => {
    const line = raw.replace(/\r$/, '');
    const hash = line.indexOf('#');
    const body = hash >= 0 ? line.slice(0, hash) : line;
    const words = [...body.matchAll(/\S+/g)].map((m) => ({ text: m[0], start: m.index }));
    if (!words.length) return;
    const [nameW, portW, ...aliasW] = words;
    if (!NAME.test(nameW.text))
      problems.push({
        code: 'PC001',
        severity: 'error',
        range: range(n, nameW.start, nameW.start + nameW.text.length),
        message: `\`${nameW.text}\` is not a service name (letters, digits and - . _ + / *).`,
      });
    const m = portW && /^(\d+)\/([A-Za-z]+)$/.exec(portW.text);
    if (!portW || !m) {
      const at = portW ?? nameW;
      problems.push({
        code: 'PC001',
        severity: 'error',
        range: range(n, at.start, at.start + at.text.length),
        message: `expected \`port/protocol\` after the service name (e.g. \`8080/tcp\`), found \`${portW?.text ?? 'nothing'}\`.`,
      });
      return;
    }
    const port = Number(m[1]);
    const protocol = m[2].toLowerCase();
    const portRange = range(n, portW.start, portW.start + m[1].length);
    if (port > 65535) {
      problems.push({ code: 'PC002', severity: 'error', range: portRange, message: `port ${port} is out of range: ports are 0–65535.` });
      return;
    }
    if (!PROTOCOLS.has(protocol))
      problems.push({
        code: 'PC001',
        severity: 'error',
        range: range(n, portW.start + m[1].length + 1, portW.start + portW.text.length),
        message: `unknown protocol \`${m[2]}\`: services files name tcp, udp, sctp, dccp or ddp.`,
      });
    const entry: ServiceEntry = { name: nameW.text, port, protocol, aliases: aliasW.map((a) => a.text), line: n };
    const nameRange = range(n, nameW.start, nameW.start + nameW.text.length);
    for (const name of [nameW, ...aliasW]) {
      const key = `${name.text}/${protocol}`;
      const prev = byNameProto.get(key);
      if (prev && prev.port !== port) {
        problems.push({
          code: 'PC127',
          severity: 'warning',
          range: range(n, name.start, name.start + name.text.length),
          related: [{ range: range(prev.line, 0, lines[prev.line].length), message: `${name.text} is ${prev.port}/${protocol} here` }],
          message: `\`${name.text}\` is already ${prev.port}/${protocol} on line ${prev.line + 1}: lookups return the first entry, so this one (${port}/${protocol}) is never used by name.`,
        });
      } else if (!prev) byNameProto.set(key, entry);
    }
    const dup = byPortProto.get(`${port}/${protocol}`);
    if (dup && dup.name === entry.name)
      problems.push({
        code: 'PC127',
        severity: 'warning',
        range: portRange,
        message: `${entry.name} ${port}/${protocol} is listed twice (first on line ${dup.line + 1}).`,
      });
    else if (!dup) byPortProto.set(`${port}/${protocol}`, entry);
    // A name IANA registers on another port: other programs resolve it differently from this file.
    const iana = protocol === 'tcp' || protocol === 'udp' ? ctx.resolveService(entry.name, protocol) : undefined;
    const ianaHere = ctx.namesAt?.(port, protocol) ?? [];
    if (
      iana !== undefined &&
      iana !== port &&
      ![entry.name, ...entry.aliases].some((a) => ianaHere.includes(a) || ctx.resolveService(a, protocol) === port)
    ) {
      problems.push({
        code: 'PC128',
        severity: 'information',
        range: nameRange,
        message: `IANA registers \`${entry.name}\` as ${iana}/${protocol}, this file as ${port}/${protocol}: programs that use the IANA list (or another host's services file) resolve the name differently.`,
      });
    }
    listenerRule(chain, id++, {
      range: range(n, nameW.start, portW.start + portW.text.length),
      protocol,
      items: [
        { text: entry.name, range: nameRange, lo: port, hi: port, service: entry.name },
        { text: m[1], range: portRange, lo: port, hi: port, service: entry.name },
      ],
      listener: { published: false, via: 'services file entry (a name for a port; opens nothing)' },
    });
  });
  return { format: 'services', family: 'both', tables: [table], problems };
}
