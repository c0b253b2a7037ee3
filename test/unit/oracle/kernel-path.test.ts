/**
 * Oracle 2, the packet's whole path: rulesets written for each semantics class of the netfilter path (conntrack
 * tuples, raw/mangle drops and NOTRACK, NAT before filter, nftables priorities, verdict maps, concatenations,
 * tcp flags expressions, hexadecimal ports, loopback) loaded into the kernel in the netns lab and probed from
 * the peer (and from the firewall to its own loopback). Portcullis predicts from everything the input path
 * reports; a probe the kernel blocks may be predicted "accept" only through a grant marked approximate.
 * Needs root, iproute2, iptables and nftables; skips otherwise.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { analyseExposure, type ChainExposure, type Transport } from '../../../server/src/analysis/exposure';
import { OTHER } from '../../../server/src/analysis/interfaces';
import { serviceMatrix } from '../../../server/src/analysis/matrix';
import { parseIptables } from '../../../server/src/formats/iptables/parse';
import { parseNftables } from '../../../server/src/formats/nftables/parse';
import { portOfService } from '../../../server/src/knowledge/registry';
import { AddressSet } from '../../../server/src/model/addresses';
import type { Ruleset } from '../../../server/src/model/ruleset';
import { Lab, PEER_ADDR, kernelUnavailable, type Probe } from '../../support/kernel';
import { classOf } from './kernel-rules';

const unavailable = kernelUnavailable();
const ctx = { resolveService: (n: string, p?: string) => portOfService(n, p as 'tcp') };
const SOURCES = [PEER_ADDR, '10.100.0.9', '10.100.1.9', '10.101.0.9', '10.250.0.9'];

interface Case {
  name: string;
  format: 'iptables' | 'nft';
  text: (fwIf: string) => string;
  ports: number[];
  /** Also probe from the firewall namespace to 127.0.0.1 (arrives on lo). */
  loopback?: boolean;
}

const CASES: Case[] = [
  {
    name: 'conntrack original/reply tuples',
    format: 'iptables',
    ports: [22, 53, 67, 80, 443, 999, 5353],
    text: () => `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m conntrack --ctstate NEW --ctproto 17 --ctorigdstport 5353 -j ACCEPT
-A INPUT -m conntrack --ctstate NEW --ctproto 6 --ctorigdstport 22 --ctorigsrc 10.100.0.0/16 -j ACCEPT
-A INPUT -m conntrack --ctproto tcp --ctreplsrcport 80 --ctrepldst 10.100.1.0/24 -j ACCEPT
-A INPUT -m conntrack --ctproto 6 ! --ctorigdstport 1000:65535 --ctorigsrc 10.101.0.0/16 -j REJECT
-A INPUT -p tcp -m conntrack --ctorigdstport 443 -j ACCEPT
-A INPUT -m conntrack --ctstate NEW --ctproto 17 --ctorigsrcport 68 --ctorigdstport 67 -j ACCEPT
-A INPUT -p udp -m conntrack --ctorigdstport 53 ! --ctorigsrc 10.101.0.0/16 -j ACCEPT
-A INPUT -p tcp -m conntrack --ctorigdstport 999 -j ACCEPT
COMMIT
`,
  },
  {
    name: 'raw and mangle before filter, NOTRACK',
    format: 'iptables',
    ports: [22, 443, 3389, 5353, 8080, 8443],
    text: () => `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p tcp --dport 8080 -j DROP
-A PREROUTING -p udp --dport 5353 -j CT --notrack
-A PREROUTING -s 10.100.1.0/24 -p tcp --dport 443 -j NOTRACK
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp --dport 3389 -j DROP
-A INPUT -s 10.101.0.0/16 -p tcp --dport 22 -j DROP
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m state --state NEW -p tcp -m multiport --dports 22,443,3389,8080 -j ACCEPT
-A INPUT -m conntrack --ctstate UNTRACKED -p udp -j ACCEPT
-A INPUT -p udp --dport 8443 -j ACCEPT
COMMIT
`,
  },
  {
    name: 'nat PREROUTING DNAT and REDIRECT before filter INPUT',
    format: 'iptables',
    ports: [22, 80, 443, 2222, 5300, 5353, 8081, 9000],
    text: () => `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp --dport 2222 -j REDIRECT --to-ports 22
-A PREROUTING -p udp --dport 5300 -j REDIRECT --to-ports 5353
-A PREROUTING -p tcp --dport 8081 -j DNAT --to-destination 10.77.0.1:80
-A PREROUTING -s 10.100.0.0/16 -p tcp --dport 9000 -j DNAT --to-destination :443
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp --dport 22 -s 10.100.0.0/16 -j ACCEPT
-A INPUT -p tcp --dport 80 -s 10.100.1.0/24 -j ACCEPT
-A INPUT -p udp --dport 5353 -m conntrack --ctstate DNAT -j ACCEPT
-A INPUT -p tcp -m conntrack --ctorigdstport 9000 --ctorigsrc 10.100.1.0/24 -j ACCEPT
-A INPUT -p tcp --dport 443 -m conntrack --ctstate DNAT -j DROP
-A INPUT -p tcp --dport 0x1bb -j ACCEPT
COMMIT
`,
  },
  {
    name: 'nftables: priorities, prerouting filter chain, vmaps, concatenations, tcp flags, notrack, redirect',
    format: 'nft',
    ports: [22, 23, 80, 443, 2222, 3389, 5000, 5353, 8080, 8081, 9000],
    text: (fwIf) => `table inet t {
  map ifv { type ifname : verdict; elements = { "lo" : accept, "${fwIf}" : continue } }
  map empty { type ifname : verdict; }
  chain pre { type filter hook prerouting priority -150; policy accept; tcp dport 3389 drop; }
  chain early { type filter hook prerouting priority raw; udp dport 5353 notrack; }
  chain input {
    type filter hook input priority filter; policy drop;
    ct state vmap { established : accept, related : accept, invalid : drop, untracked : accept }
    iifname vmap @ifv
    meta iifname vmap @empty
    meta l4proto tcp ct status dnat ct original proto-dst 9000 ip saddr 10.100.0.0/16 accept
    ct status dnat tcp dport 443 drop
    tcp flags & (syn | ack) == syn tcp dport 22 accept
    tcp flags & syn == 0 tcp dport 23 accept
    ip saddr . tcp dport { 10.100.0.0/16 . 80, 10.101.0.0/16 . 443 } accept
    tcp dport vmap { 8080 : jump web, 3389 : accept, 5000 : drop }
    tcp dport 0x1f91 accept
  }
  chain web { ip saddr 10.100.1.0/24 accept; }
  chain late { type filter hook input priority 10; policy accept; tcp dport 80 ip saddr 10.100.1.0/24 drop; }
}
table ip nat {
  chain pre { type nat hook prerouting priority dstnat; tcp dport 2222 redirect to :22; tcp dport 9000 redirect to :443; }
}
`,
  },
  {
    name: 'nftables: ssh-only ruleset with the ct state vmap idiom',
    format: 'nft',
    ports: [22, 80, 443, 3389],
    loopback: true,
    text: () => `table inet filter {
  chain input {
    type filter hook input priority filter; policy drop;
    ct state vmap { established : accept, related : accept, invalid : drop }
    iifname lo accept
    tcp dport 22 accept
  }
}
`,
  },
  {
    name: 'loopback dropped, the rest open on 22',
    format: 'iptables',
    ports: [22, 80],
    loopback: true,
    text: () => `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT
-A INPUT -i lo -p tcp --dport 22 -j DROP
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -j DROP
COMMIT
`,
  },
  {
    name: 'only loopback gets in',
    format: 'iptables',
    ports: [22, 80],
    loopback: true,
    text: () => `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT
-A INPUT ! -i lo -j DROP
-A INPUT -p tcp --dport 22 -j ACCEPT
COMMIT
`,
  },
];

function parse(c: Case, text: string): Ruleset {
  return c.format === 'nft' ? parseNftables(text, { ...ctx, path: 'lab.nft' }) : parseIptables(text, { ...ctx, path: 'lab.rules' });
}

/** Every chain reported on the input path, for IPv4. */
function inputPath(rs: Ruleset): ChainExposure[] {
  return analyseExposure(rs).chains.filter((ce) => ce.hook === 'input' && ce.family === 'ipv4');
}

interface Prediction {
  accept: boolean;
  approximate: boolean;
  reasons?: string[];
}

function predict(ces: ChainExposure[], proto: Transport, port: number, src: string, iface: string): Prediction {
  const grants = ces
    .flatMap((ce) => ce.grants)
    .filter((g) => g.protocol === proto && g.iface === iface && g.ports.has(port) && g.sources.has(src));
  return {
    accept: grants.length > 0,
    approximate: grants.length > 0 && grants.every((g) => g.approximate),
    reasons: [...new Set(grants.flatMap((g) => g.reasons))],
  };
}

/** What the service matrix (the exposure JSON) says about a loopback probe: entries for lo, or for no interface. */
function matrixSays(rs: Ruleset, proto: Transport, port: number, src: string): boolean {
  const addr = AddressSet.parse(src)!;
  return serviceMatrix(analyseExposure(rs))
    .filter((m) => m.hook === 'input' && m.family === 'ipv4')
    .some((m) =>
      m.entries.some((e) => {
        const holdsOnLo =
          e.interface === undefined ||
          e.interface === 'lo' ||
          (e.interface.startsWith('!') && !e.interface.slice(1).split(',').includes('lo'));
        return holdsOnLo && e.protocol === proto && e.ports.has(port) && e.sources.covers(addr);
      }),
    );
}

let lab: Lab | undefined;
const tally = {
  rulesets: 0,
  probes: 0,
  accepted: 0,
  agree: 0,
  approximate: 0,
  disagreements: [] as string[],
  approximations: new Set<string>(),
};

before(() => {
  if (unavailable) return;
  lab = new Lab(`${process.pid}p`);
  lab.setup();
  lab.addSources(SOURCES);
});

after(() => {
  lab?.close();
  if (!unavailable) {
    console.log(
      `kernel path differential — ${tally.rulesets} rulesets, ${tally.probes} probes (${tally.accepted} let through), ${tally.agree} agree, ${tally.approximate} approximate, ${tally.disagreements.length} disagreements`,
    );
    if (tally.approximations.size) console.log(`approximate because of: ${[...tally.approximations].join(' | ')}`);
  }
});

for (const c of CASES) {
  test(`kernel agrees on the whole path: ${c.name}`, { skip: unavailable, timeout: 240_000 }, async () => {
    const l = lab!;
    const text = c.text(l.fwIf);
    l.reset();
    let rs: Ruleset;
    if (c.format === 'nft') rs = parse(c, l.loadNft(text));
    else {
      const err = l.load(text);
      assert.equal(err, undefined, `iptables-restore: ${err}`);
      rs = parse(c, text);
    }
    assert.deepEqual(
      rs.problems.filter((p) => p.severity === 'error'),
      [],
      'the ruleset parses without errors',
    );
    const ces = inputPath(rs);
    assert.ok(ces.length > 0, 'an input path is reported');
    const iface = classOf(l.fwIf, ces[0].ifaceClasses);
    await l.listen([...new Set([...c.ports, 22, 80, 443, 5353])]);
    const probes: Probe[] = SOURCES.flatMap((src) =>
      c.ports.flatMap((port) => (['tcp', 'udp'] as const).map((proto) => ({ src, proto, port }))),
    );
    const local: Probe[] = c.loopback
      ? c.ports.flatMap((port) => (['tcp', 'udp'] as const).map((proto) => ({ src: '127.0.0.1', proto, port })))
      : [];
    const got = await l.probe(probes, 400, 32);
    const gotLocal = local.length ? await l.probe(local, 400, 8, true) : [];
    tally.rulesets++;
    const mismatches: string[] = [];
    const judge = (p: Probe, kernel: boolean, pred: Prediction, via: string) => {
      tally.probes++;
      if (kernel) tally.accepted++;
      if (pred.accept === kernel) tally.agree++;
      else if (pred.accept && pred.approximate) {
        tally.approximate++;
        for (const r of pred.reasons ?? []) tally.approximations.add(r);
      } else
        mismatches.push(
          `${c.name}: ${p.proto}/${p.port} from ${p.src} via ${via}: kernel ${kernel ? 'ACCEPTED' : 'blocked'}, Portcullis ${pred.accept ? 'accept' : 'deny'}`,
        );
    };
    probes.forEach((p, i) => judge(p, got[i], predict(ces, p.proto, p.port, p.src, iface), iface || 'other interface'));
    const loClass = ces[0].ifaceClasses.includes('lo') ? 'lo' : OTHER;
    local.forEach((p, i) => {
      judge(p, gotLocal[i], predict(ces, p.proto, p.port, p.src, loClass), 'lo');
      // The exposure JSON: an entry without an interface must hold on loopback too.
      judge(p, gotLocal[i], { accept: matrixSays(rs, p.proto, p.port, p.src), approximate: false }, 'lo (service matrix)');
    });
    tally.disagreements.push(...mismatches);
    assert.deepEqual(mismatches, []);
    const all = [...got, ...gotLocal];
    assert.ok(all.some(Boolean) && all.some((x) => !x), 'the ruleset decides both ways');
  });
}
