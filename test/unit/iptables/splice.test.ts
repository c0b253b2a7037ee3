/**
 * Re-parsing only an edit's changed lines (formats/iptables/splice.ts): the spliced model must equal a fresh parse of
 * the new text (rules, ids, positions, problems in order), and edits whose effect reaches past their lines must be
 * left to a fresh parse.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { iptablesFormat } from '../../../server/src/formats/iptables';
import { parseIptables } from '../../../server/src/formats/iptables/parse';
import { changedLines } from '../../../server/src/incremental';
import { portOfService } from '../../../server/src/knowledge/registry';
import type { Ruleset } from '../../../server/src/model/ruleset';

const ctx = { resolveService: (n: string, p?: string) => portOfService(n, p as 'tcp'), path: '/x/rules.v4' };
const plain = (rs: Ruleset) =>
  JSON.stringify(rs, (k, v) => (k.startsWith('cached') ? undefined : typeof v === 'bigint' ? v.toString() : v));

/** The spliced model of `after`, from a parse of `before`; undefined when the format parses afresh. */
function splice(before: string, after: string): Ruleset | undefined {
  const previous = parseIptables(before, ctx);
  const change = changedLines(before, after);
  assert.ok(change);
  return iptablesFormat.reparse!(previous, change, ctx);
}

/** Splices and checks the result against a fresh parse. */
function spliced(before: string, after: string): Ruleset {
  const rs = splice(before, after);
  assert.ok(rs, 'spliced');
  assert.equal(plain(rs), plain(parseIptables(after, ctx)));
  return rs;
}

const file = [
  '*filter',
  ':INPUT DROP [0:0]',
  ':FORWARD ACCEPT [0:0]',
  ':LOGDROP - [0:0]',
  '-A INPUT -i lo -j ACCEPT',
  '-A INPUT -p tcp --dport 22 -j ACCEPT',
  '-A LOGDROP -j DROP',
  '-A INPUT -p udp --dport 99999 -j ACCEPT',
  '-A INPUT -s 10.0.0.0/8 -j LOGDROP',
  '-A INPUT -j NOWHERE',
  'COMMIT',
  '*nat',
  ':PREROUTING ACCEPT [0:0]',
  '-A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.2:8080',
  'COMMIT',
  '',
].join('\n');

test('a changed, inserted, deleted or moved rule line is spliced as a fresh parse would read it', () => {
  spliced(file, file.replace('--dport 22', '--dport 2222'));
  spliced(file, file.replace('--dport 22 ', '--dport 22,23 '));
  // Lines inserted and deleted: the rules below move, and their ids with them.
  spliced(file, file.replace('-A LOGDROP -j DROP\n', '-A LOGDROP -j DROP\n-A INPUT -p tcp --dport 443 -j ACCEPT\n-A LOGDROP -j REJECT\n'));
  spliced(file, file.replace('-A INPUT -i lo -j ACCEPT\n', ''));
  spliced(file, file.replace('-A INPUT -i lo -j ACCEPT\n', '# no loopback\n\n'));
  // A rule moved to another chain, one that jumps nowhere made right, problems of the line replaced by others.
  spliced(file, file.replace('-A INPUT -s 10.0.0.0/8', '-A FORWARD -s 10.0.0.0/8'));
  spliced(file, file.replace('-j NOWHERE', '-j LOGDROP'));
  spliced(file, file.replace('--dport 99999', '--dport 7'));
  spliced(file, file.replace('-A INPUT -i lo -j ACCEPT', '-A INPUT -j NOWHERE2 --dport 5'));
  spliced(file, file.replace('--to-destination 10.0.0.2:8080', '--to-destination 10.0.0.3:99999'));
  // A half-typed line is a problem on that line only.
  spliced(file, file.replace('-A INPUT -i lo -j ACCEPT', '-A INPUT -i lo -j'));
  spliced(file, file.replace('-A INPUT -i lo -j ACCEPT', '-'));
  // The table is found by reading upward, past blank lines at the very start too.
  spliced(`\n\n${file}`, `\n\n${file.replace('--dport 22', '--dport 23')}`);
  assert.equal(splice(`\n# c\n${file}`, `\n-A INPUT -j DROP\n${file}`), undefined, 'no table above');
  // A chain line whose counters alone change keeps the model (and can be spliced again).
  const counted = file.replace(':INPUT DROP [0:0]', ':INPUT DROP [1234:56789]');
  const previous = parseIptables(file, ctx);
  const same = iptablesFormat.reparse!(previous, changedLines(file, counted)!, ctx);
  assert.equal(same, previous, 'the same model');
  assert.equal(plain(same!), plain(parseIptables(counted, ctx)));
  assert.ok(iptablesFormat.reparse!(same!, changedLines(counted, counted.replace('--dport 22', '--dport 23'))!, ctx), 'spliced again');
});

test('edits that reach past their lines are parsed afresh', () => {
  const fresh = (after: string, why: string) => assert.equal(splice(file, after), undefined, why);
  fresh(file.replace(':LOGDROP - [0:0]', ':LOGDROP2 - [0:0]'), 'a chain declaration');
  fresh(file.replace(':INPUT DROP [0:0]', ':INPUT ACCEPT [1:1]'), 'a policy and counters');
  fresh(file.replace(':INPUT DROP [0:0]', ':INPUT  DROP [1:1]'), 'a chain line whose tokens move');
  fresh(file.replace('*nat', '*mangle'), 'a table line');
  fresh(file.replace('COMMIT\n*nat', '\n*nat'), 'a COMMIT line');
  fresh(file.replace('-A LOGDROP -j DROP', '-N NEW'), 'a new chain');
  fresh(file.replace('-A LOGDROP -j DROP', '-P FORWARD DROP'), 'a policy');
  fresh(file.replace('-A LOGDROP -j DROP', '-I INPUT -j DROP'), 'an insert puts a rule elsewhere');
  fresh(file.replace('-A LOGDROP -j DROP', '-A UNDECLARED -j DROP'), 'a chain first named here');
  fresh(file.replace('COMMIT\n*nat', 'COMMIT\n-A INPUT -j DROP\n*nat'), 'a rule outside a table');
  fresh(file.replace('-A INPUT -i lo -j ACCEPT', '-A INPUT -s 2001:db8::1 -s 2001:db8::2 -s 2001:db8::3 -j ACCEPT'), 'the family changes');
  fresh(file.replace('-A INPUT -i lo -j ACCEPT', '# Generated by ip6tables-save'), 'the ip6tables-save header');
  // A file with inserts or flushes is never spliced: rules' places do not follow from their lines.
  const inserted = file.replace('-A LOGDROP -j DROP', '-I INPUT -j DROP');
  const previous = parseIptables(inserted, ctx);
  const edited = inserted.replace('--dport 22', '--dport 23');
  assert.equal(iptablesFormat.reparse!(previous, changedLines(inserted, edited)!, ctx), undefined);
});

test('a spliced model can be spliced again, and the model it came from is spent', () => {
  const previous = parseIptables(file, ctx);
  const a = file.replace('--dport 22', '--dport 23');
  const first = iptablesFormat.reparse!(previous, changedLines(file, a)!, ctx)!;
  assert.ok(first);
  const b = a.replace('-A LOGDROP -j DROP\n', '');
  const second = iptablesFormat.reparse!(first, changedLines(a, b)!, ctx)!;
  assert.equal(plain(second), plain(parseIptables(b, ctx)));
  assert.equal(iptablesFormat.reparse!(previous, changedLines(file, a)!, ctx), undefined);
});
