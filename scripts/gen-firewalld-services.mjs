#!/usr/bin/env node
// Generates server/src/formats/firewalld/standard-services.json: firewalld's standard service names → ports.
// Source: the service definitions of Debian's firewalld 1.3.3 (/usr/lib/firewalld/services/*.xml, GPL-2+ data;
// only facts are kept: port numbers, protocols, included services). Usage:
//   node scripts/gen-firewalld-services.mjs [../shared/corpus/firewalld/services]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = process.argv[2] ?? path.resolve(root, '../shared/corpus/firewalld/services');
const out = path.join(root, 'server/src/formats/firewalld/standard-services.json');
const raw = {};
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.xml')).sort()) {
  const xml = fs.readFileSync(path.join(dir, f), 'utf8').replace(/<!--[\s\S]*?-->/g, '');
  const attrs = (tag) => [...xml.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'g'))].map((m) => Object.fromEntries([...m[1].matchAll(/([\w-]+)\s*=\s*"([^"]*)"/g)].map((a) => [a[1], a[2]])));
  raw[f.replace(/\.xml$/, '')] = {
    ports: attrs('port').map((a) => `${a.port}/${a.protocol}`),
    protocols: attrs('protocol').map((a) => a.value),
    includes: attrs('include').map((a) => a.service),
  };
}
const resolve = (name, seen = new Set()) => {
  const s = raw[name];
  if (!s || seen.has(name)) return { ports: [], protocols: [] };
  seen.add(name);
  const inc = s.includes.map((i) => resolve(i, seen));
  return { ports: [...new Set([...s.ports, ...inc.flatMap((x) => x.ports)])], protocols: [...new Set([...s.protocols, ...inc.flatMap((x) => x.protocols)])] };
};
const result = { _source: 'Debian firewalld 1.3.3 /usr/lib/firewalld/services (GPL-2+ data; facts only: ports and protocols, includes resolved)' };
for (const name of Object.keys(raw)) {
  const r = resolve(name);
  result[name] = r.protocols.length ? { ports: r.ports, protocols: r.protocols } : r.ports;
}
fs.writeFileSync(out, JSON.stringify(result, null, 0).replace(/\],"/g, '],\n"').replace(/\},"/g, '},\n"') + '\n');
console.log(`wrote ${Object.keys(result).length - 1} services to ${path.relative(root, out)}`);
