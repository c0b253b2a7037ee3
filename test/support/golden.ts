/**
 * Reads fffuu's service matrices (../shared/corpus/iptables-golden): for each TCP destination port, the
 * address classes and the edges between them. A class with an outgoing edge can open connections.
 */
import { AddressSet } from '../../server/src/model/addresses';

export interface GoldenMatrix {
  port: number;
  classes: Map<string, AddressSet>;
  edges: [string, string][];
  /** Union of every class that can reach anything. */
  reachableSources: AddressSet;
}

export function readMatrices(text: string): GoldenMatrix[] {
  const out: GoldenMatrix[] = [];
  const sections = text.split(/^=========== TCP port \d+->(\d+) =========$/m);
  for (let i = 1; i + 1 < sections.length; i += 2) {
    const port = Number(sections[i]);
    const body = sections[i + 1].split(/^=+ /m)[0];
    const classes = new Map<string, AddressSet>();
    const edges: [string, string][] = [];
    for (const line of body.split('\n')) {
      const cls = /^(\w+) \|-> (.*)$/.exec(line);
      if (cls) classes.set(cls[1], parseUnion(cls[2]));
      const edge = /^\((\w+),(\w+)\)$/.exec(line.trim());
      if (edge) edges.push([edge[1], edge[2]]);
    }
    let reachableSources = AddressSet.NONE;
    for (const from of new Set(edges.map((e) => e[0]))) reachableSources = reachableSources.union(classes.get(from) ?? AddressSet.NONE);
    out.push({ port, classes, edges, reachableSources });
  }
  return out;
}

function parseUnion(text: string): AddressSet {
  let set = AddressSet.NONE;
  for (const part of text.split(' u ')) {
    const p = part.trim();
    const range = /^\{(\S+) \.\. (\S+)\}$/.exec(p);
    const one = range ? AddressSet.parse(`${range[1]}-${range[2]}`) : AddressSet.parse(p.replace(/[{}]/g, ''));
    if (!one) throw new Error(`golden: cannot read address class part \`${p}\``);
    set = set.union(one);
  }
  return set;
}
