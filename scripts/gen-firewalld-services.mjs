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
  const destination = attrs('destination')[0];
  raw[f.replace(/\.xml$/, '')] = {
    ports: attrs('port').map((a) => `${a.port}/${a.protocol}`),
    protocols: attrs('protocol').map((a) => a.value),
    includes: attrs('include').map((a) => a.service),
    ...(destination ? { destination } : {}),
  };
}
// Includes stay names: an included service keeps its own destination (firewalld adds it as a service of its own).
const result = { _source: 'Debian firewalld 1.3.3 /usr/lib/firewalld/services (GPL-2+ data; facts only: ports, protocols, destinations, includes)' };
for (const [name, s] of Object.entries(raw)) {
  const plain = !s.protocols.length && !s.includes.length && !s.destination;
  result[name] = plain ? s.ports : Object.fromEntries(Object.entries(s).filter(([, v]) => !Array.isArray(v) || v.length));
}
fs.writeFileSync(out, JSON.stringify(result, null, 0).replace(/\],"/g, '],\n"').replace(/\},"/g, '},\n"') + '\n');
console.log(`wrote ${Object.keys(result).length - 1} services to ${path.relative(root, out)}`);
