/**
 * iptables-save / iptables-restore parser (also ip6tables and ufw's rules files). Turns text into the common
 * model and reports syntax problems; it recovers at every line, so one bad line never hides the rest.
 */
import { AddressSet, type Family } from '../../model/addresses';
import { CODES, type Code } from '../../model/codes';
import type { Finding, Severity } from '../../model/finding';
import { PortSet } from '../../model/ports';
import { range, type Position, type Range } from '../../model/range';
import type { Action, Chain, Condition, ConnState, Hook, PortItem, Rule, Ruleset, Table } from '../../model/ruleset';
import type { ParseContext } from '../format';
import { splitLines } from '../../model/text';
import { tokenizeLine, type Token } from '../tokenize';
import {
  BUILTIN_CHAINS,
  CONTINUE_TARGETS,
  MATCH_OPTIONS,
  OTHER_TARGETS,
  PORT_PROTOCOLS,
  PROTOCOL_NUMBERS,
  TARGET_OPTIONS,
  VERDICT_TARGETS,
  tablePriority,
} from './options';

const SHORT: Record<string, string> = {
  '-A': '--append',
  '-I': '--insert',
  '-D': '--delete',
  '-R': '--replace',
  '-N': '--new-chain',
  '-X': '--delete-chain',
  '-F': '--flush',
  '-Z': '--zero',
  '-P': '--policy',
  '-E': '--rename-chain',
  '-p': '--protocol',
  '-s': '--source',
  '-d': '--destination',
  '-i': '--in-interface',
  '-o': '--out-interface',
  '-j': '--jump',
  '-g': '--goto',
  '-m': '--match',
  '-f': '--fragment',
  '-c': '--set-counters',
  '-4': '--ipv4',
  '-6': '--ipv6',
  '--src': '--source',
  '--dst': '--destination',
  '--proto': '--protocol',
};

const CONN_STATES: Record<string, ConnState> = {
  NEW: 'new',
  ESTABLISHED: 'established',
  RELATED: 'related',
  INVALID: 'invalid',
  UNTRACKED: 'untracked',
  SNAT: 'snat',
  DNAT: 'dnat',
};

interface PendingJump {
  table: string;
  chain: string;
  range: Range;
}

/** Word-level cursor over one rule line. */
class Cursor {
  i = 0;
  constructor(readonly tokens: Token[]) {}
  peek(): Token | undefined {
    return this.tokens[this.i];
  }
  next(): Token | undefined {
    return this.tokens[this.i++];
  }
}

/** Options `rule` reads itself that take one value. */
const OWN_VALUE_OPTIONS = new Set([
  '--protocol',
  '--source',
  '--destination',
  '--in-interface',
  '--out-interface',
  '--jump',
  '--goto',
  '--match',
]);

/** Options read below that take at least one value. */
const VALUE_OPTIONS = new Set([
  '--dport',
  '--destination-port',
  '--sport',
  '--source-port',
  '--dports',
  '--destination-ports',
  '--sports',
  '--source-ports',
  '--ports',
  '--state',
  '--ctstate',
  '--tcp-flags',
  '--comment',
  '--src-range',
  '--dst-range',
  '--mac-source',
]);

export function parseIptables(text: string, ctx: ParseContext): Ruleset {
  const evidence = ctx.family ? undefined : familyEvidence(text, ctx.path);
  const family = ctx.family ?? familyOf(evidence!);
  const parser = new IptablesParser(ctx, family);
  const ruleset = parser.run(splitLines(text));
  if (parser.appendOnly)
    spliceStates.set(ruleset, { rules: parser.rules, lineProblems: parser.lineProblems, evidence, addressSets: parser.addressSets });
  return ruleset;
}

/**
 * What `splice.ts` needs of a parse to re-parse some of its lines: kept only for files whose rules are all appended
 * (`-A`) inside tables opened and closed as they should be, where a rule's place follows from its line alone.
 */
export interface SpliceState {
  /** Every rule in line order (its id is its index). */
  rules: Rule[];
  /** How many of the ruleset's problems come from reading lines (in line order); the rest from the end checks (jumps). */
  lineProblems: number;
  /** How the family was detected from the text (undefined: the caller gave it). */
  evidence: FamilyEvidence | undefined;
  addressSets: Map<string, AddressSet>;
}

export const spliceStates = new WeakMap<Ruleset, SpliceState>();

/** Where a re-parse of some lines resumes: the model around them, which it reads but does not change. */
export interface Resume {
  tables: Table[];
  /** The table open at the first line. */
  table: Table;
  /** The first line's number, and the number of rules before it. */
  first: number;
  ruleCount: number;
  addressSets: Map<string, AddressSet>;
}

/** What the lines re-parsed from a `Resume` hold; undefined when they cannot be spliced (see `Unspliceable`). */
export interface Resumed {
  rules: Rule[];
  /** From the lines, in line order, and from the jump check. */
  problems: Finding[];
  jumpProblems: Finding[];
}

/** Thrown while resuming at a line whose effect reaches past itself (a table, chain or policy line, a new chain …). */
class Unspliceable extends Error {}

export function resumeIptables(lines: string[], ctx: ParseContext, family: Family, resume: Resume): Resumed | undefined {
  const parser = new IptablesParser(ctx, family, resume);
  try {
    lines.forEach((line, i) => parser.line(line, resume.first + i));
  } catch (e) {
    if (e instanceof Unspliceable) return undefined;
    throw e;
  }
  const problems = parser.problems.splice(0);
  parser.checkJumps();
  return { rules: parser.rules, problems, jumpProblems: parser.problems };
}

class IptablesParser {
  readonly problems: Finding[] = [];
  private readonly tables: Table[];
  private table: Table | undefined;
  private tableCommitted = true;
  private ruleCount: number;
  private readonly jumps: PendingJump[] = [];
  /** Rules in line order (see `SpliceState`). */
  readonly rules: Rule[] = [];
  /** Whether every rule was appended inside an open table and each table closed: the condition for splicing. */
  appendOnly = true;
  lineProblems = 0;

  constructor(
    private readonly ctx: ParseContext,
    private readonly family: Family,
    private readonly resume?: Resume,
  ) {
    this.tables = resume ? resume.tables : [];
    this.table = resume?.table;
    this.tableCommitted = !resume;
    this.ruleCount = resume?.ruleCount ?? 0;
    if (resume) this.addressSets = resume.addressSets;
  }

  run(lines: string[]): Ruleset {
    lines.forEach((line, n) => {
      try {
        this.line(line, n);
      } catch (e) {
        // A parser bug must not take the whole file down; report it where it happened and go on.
        this.report('PC001', range(n, 0, line.length), `internal parser error: ${(e as Error).message}`);
        this.appendOnly = false;
      }
    });
    this.lineProblems = this.problems.length;
    if (this.table && !this.tableCommitted) this.missingCommit(this.table);
    this.checkJumps();
    return { format: 'iptables', family: this.family, tables: this.tables, problems: this.problems };
  }

  /** A line whose effect reaches past itself: a re-parse cannot resume across it. */
  private structural(): void {
    if (this.resume) throw new Unspliceable();
  }

  private report(code: Code, r: Range, message: string, severity?: Severity): void {
    if (code === 'PC006') this.appendOnly = false;
    // A copy: a problem's range is moved on its own when lines are spliced, never shared with the model's.
    this.problems.push({ code, severity: severity ?? CODES[code].severity, message, range: copyRange(r) });
  }

  line(line: string, n: number): void {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const indent = line.indexOf(trimmed[0]);
    if (trimmed.startsWith('*') || trimmed.startsWith(':') || trimmed === 'COMMIT') this.structural();
    if (trimmed.startsWith('*')) return this.startTable(trimmed.slice(1).trim(), n, indent, line.length);
    if (trimmed.startsWith(':')) return this.declareChain(line, n);
    if (trimmed === 'COMMIT') {
      if (!this.table || this.tableCommitted)
        this.report(
          'PC006',
          range(n, indent, indent + 6),
          'COMMIT without a table: add a `*filter` (or other table) line before the rules',
        );
      this.tableCommitted = true;
      return;
    }
    const tk = tokenizeLine(line);
    if (tk.unterminated !== undefined) this.report('PC001', range(n, tk.unterminated, line.length), 'unterminated quoted string');
    // iptables-restore treats only whole lines starting with # as comments; a trailing one is read as arguments.
    if (tk.commentStart !== undefined)
      this.report(
        'PC001',
        range(n, tk.commentStart, line.trimEnd().length),
        'iptables-restore does not accept a comment after a rule (it reads `#` as an argument and fails): put the comment on its own line above, or use `-m comment --comment "…"`',
      );
    let tokens = tk.tokens;
    // iptables-save -c prefixes each rule with [packets:bytes].
    if (tokens[0] && /^\[\d+:\d+\]$/.test(tokens[0].text)) tokens = tokens.slice(1);
    if (!tokens.length) return;
    const first = tokens[0];
    if (!first.text.startsWith('-')) {
      this.report(
        'PC001',
        range(n, first.start, first.end),
        `unexpected \`${first.text}\`: expected a table (*filter), a chain (:NAME POLICY), a rule (-A CHAIN …) or COMMIT`,
      );
      return;
    }
    this.command(tokens, n, line);
  }

  private startTable(name: string, n: number, start: number, end: number): void {
    if (this.table && !this.tableCommitted) this.missingCommit(this.table);
    if (!/^[a-z]+$/.test(name)) {
      this.report('PC001', range(n, start, end), `invalid table name \`${name}\``);
    } else if (!BUILTIN_CHAINS[name]) {
      this.report('PC001', range(n, start, end), `unknown table \`${name}\` (known: ${Object.keys(BUILTIN_CHAINS).join(', ')})`);
    }
    this.table = this.tables.find((t) => t.name === name);
    if (!this.table) {
      this.table = { name, family: this.family, range: range(n, start, end), chains: [] };
      this.tables.push(this.table);
    } else this.table.range = range(n, start, end);
    this.tableCommitted = false;
  }

  private missingCommit(t: Table): void {
    this.report('PC006', t.range, `table \`${t.name}\` is not closed with COMMIT: iptables-restore discards it`);
  }

  /** The current table, or a stand-in `filter` table after reporting that the rule sits outside any. */
  private currentTable(r: Range): Table {
    if (this.table && !this.tableCommitted) return this.table;
    this.report('PC006', r, 'rule outside a table: iptables-restore needs a `*filter` (or other table) line before it and COMMIT after');
    if (!this.table) {
      this.table = { name: 'filter', family: this.family, range: r, chains: [] };
      this.tables.push(this.table);
    }
    this.tableCommitted = true;
    return this.table;
  }

  /** Chains by name per table: files with thousands of user chains look names up for every rule. */
  private readonly chainIndex = new Map<Table, Map<string, Chain>>();

  private chain(table: Table, name: string, r: Range, declared: boolean): Chain {
    let index = this.chainIndex.get(table);
    if (!index) this.chainIndex.set(table, (index = new Map(table.chains.map((x) => [x.name, x]))));
    let c = index.get(name);
    // Resuming, a chain is used only when it existed before the first re-parsed line and stays as it was.
    if (this.resume && (!c || c.range.start.line >= this.resume.first || (declared && !c.declared))) throw new Unspliceable();
    if (!c) {
      const hook = (BUILTIN_CHAINS[table.name]?.[name] ?? ufwHook(name)) as Hook | undefined;
      const priority = hook ? tablePriority(table.name, hook) : undefined;
      c = {
        name,
        table: table.name,
        family: this.family,
        hook,
        type: table.name === 'filter' ? 'filter' : table.name === 'nat' ? 'nat' : 'other',
        ...(priority !== undefined ? { priority } : {}),
        range: r,
        declared,
        rules: [],
      };
      table.chains.push(c);
      index.set(name, c);
    } else if (declared && !c.declared) {
      c.declared = true;
      c.range = r;
    }
    return c;
  }

  private declareChain(line: string, n: number): void {
    const { tokens } = tokenizeLine(line);
    const nameTok = tokens[0];
    const name = nameTok.text.slice(1);
    const nameRange = range(n, nameTok.start + 1, nameTok.end);
    if (!name) return this.report('PC001', range(n, nameTok.start, nameTok.end), 'missing chain name after `:`');
    const table = this.currentTable(range(n, nameTok.start, line.length));
    const c = this.chain(table, name, nameRange, true);
    const pol = tokens[1];
    if (!pol) return this.report('PC001', nameRange, `chain \`${name}\` needs a policy (ACCEPT, DROP or - for user chains)`);
    const builtin = BUILTIN_CHAINS[table.name]?.[name] !== undefined;
    if (pol.text === '-') {
      if (builtin) this.report('PC001', range(n, pol.start, pol.end), `built-in chain \`${name}\` needs a policy ACCEPT or DROP`);
    } else if (pol.text === 'ACCEPT' || pol.text === 'DROP') {
      if (builtin) {
        c.policy = pol.text === 'ACCEPT' ? 'accept' : 'drop';
        c.policyRange = range(n, pol.start, pol.end);
      } else this.report('PC001', range(n, pol.start, pol.end), `user chain \`${name}\` cannot have a policy; write \`-\``);
    } else this.report('PC001', range(n, pol.start, pol.end), `invalid policy \`${pol.text}\`: expected ACCEPT, DROP or -`);
    const counters = tokens[2];
    if (counters && !/^\[\d+:\d+\]$/.test(counters.text))
      this.report('PC001', range(n, counters.start, counters.end), 'expected counters such as [0:0]');
  }

  private command(tokens: Token[], n: number, line: string): void {
    const cur = new Cursor(tokens);
    const cmdTok = cur.next()!;
    const cmd = SHORT[cmdTok.text] ?? cmdTok.text;
    const lineRange = this.at(n, tokens[0].start, tokens[tokens.length - 1].end);
    const argTok = cur.next();
    const needChain = (): string | undefined => {
      if (!argTok || argTok.text.startsWith('-')) {
        this.report('PC001', range(n, cmdTok.start, cmdTok.end), `\`${cmdTok.text}\` needs a chain name`);
        return undefined;
      }
      return argTok.text;
    };
    if (cmd === '--insert' || cmd === '--flush' || cmd === '--delete-chain') this.appendOnly = false;
    if (cmd === '--insert' || cmd === '--new-chain' || cmd === '--policy' || cmd === '--flush' || cmd === '--delete-chain') this.structural();
    switch (cmd) {
      case '--append':
      case '--insert': {
        const name = needChain();
        if (!name) return;
        const table = this.currentTable(lineRange);
        const c = this.chain(table, name, range(n, argTok!.start, argTok!.end), false);
        if (!c.declared && BUILTIN_CHAINS[table.name]?.[name] === undefined && !c.hook) {
          this.report(
            'PC005',
            range(n, argTok!.start, argTok!.end),
            `chain \`${name}\` is not declared in table \`${table.name}\`: add \`:${name} - [0:0]\``,
          );
          if (this.resume) throw new Unspliceable();
          c.declared = true; // report once
        }
        let position = cmd === '--insert' ? 0 : c.rules.length;
        if (cmd === '--insert' && cur.peek() && /^\d+$/.test(cur.peek()!.text))
          position = Math.min(c.rules.length, Math.max(0, Number(cur.next()!.text) - 1));
        const rule = this.rule(cur, n, table, name, lineRange, this.at(n, argTok!.start, argTok!.end));
        this.rules.push(rule);
        if (!this.resume) c.rules.splice(position, 0, rule);
        return;
      }
      case '--new-chain': {
        const name = needChain();
        if (name) this.chain(this.currentTable(lineRange), name, range(n, argTok!.start, argTok!.end), true);
        return;
      }
      case '--policy': {
        const name = needChain();
        const pol = cur.next();
        if (!name) return;
        const c = this.chain(this.currentTable(lineRange), name, range(n, argTok!.start, argTok!.end), true);
        if (pol?.text === 'ACCEPT' || pol?.text === 'DROP') {
          c.policy = pol.text === 'ACCEPT' ? 'accept' : 'drop';
          c.policyRange = range(n, pol.start, pol.end);
        } else this.report('PC001', pol ? range(n, pol.start, pol.end) : lineRange, 'policy must be ACCEPT or DROP');
        return;
      }
      case '--flush':
      case '--delete-chain':
      case '--zero': {
        const table = this.currentTable(lineRange);
        const targets = argTok && !argTok.text.startsWith('-') ? table.chains.filter((c) => c.name === argTok.text) : table.chains;
        if (cmd === '--flush') targets.forEach((c) => (c.rules = []));
        if (cmd === '--delete-chain') table.chains = table.chains.filter((c) => !targets.includes(c) || c.hook);
        return;
      }
      case '--delete':
      case '--replace':
      case '--rename-chain':
        this.report(
          'PC001',
          range(n, cmdTok.start, cmdTok.end),
          `\`${cmdTok.text}\` is not supported in a rules file; Portcullis ignores this line`,
          'warning',
        );
        return;
      default:
        this.report('PC001', range(n, cmdTok.start, cmdTok.end), `unknown command \`${cmdTok.text}\`: expected -A, -I, -N, -P, -F or -X`);
        void line;
    }
  }

  /**
   * Positions of the line being read, one object per character: the ranges of a rule share them where they meet
   * (fewer objects per rule; whatever moves positions moves each object once).
   */
  private readonly positions: (Position | undefined)[] = [];

  private at(n: number, start: number, end: number): Range {
    return { start: this.position(n, start), end: this.position(n, end) };
  }

  /** The line's position object at `character` (one made for an earlier line has that line's number, and is replaced). */
  private position(line: number, character: number): Position {
    let p = this.positions[character];
    if (p?.line !== line) this.positions[character] = p = { line, character };
    return p;
  }

  private rule(cur: Cursor, n: number, table: Table, chain: string, lineRange: Range, chainRange: Range): Rule {
    const conditions: Condition[] = [];
    const modules = new Set<string>();
    let protocol: { names: string[]; negated: boolean } | undefined;
    let action: Action = { kind: 'none' };
    let target: string | undefined;
    let comment: string | undefined;
    const portConds: Condition[] = [];
    let targetOptions: Map<string, Token | undefined> | undefined;

    while (cur.peek()) {
      let negated = false;
      const bang = cur.peek()!;
      if (bang.text === '!' && !bang.quoted) {
        negated = true;
        cur.next();
        if (!cur.peek()) {
          this.report('PC001', range(n, bang.start, bang.end), '`!` must be followed by an option');
          break;
        }
      }
      const optTok = cur.next()!;
      const startCol = negated ? bang.start : optTok.start;
      if (!optTok.text.startsWith('-')) {
        this.report('PC001', range(n, optTok.start, optTok.end), `unexpected \`${optTok.text}\`: expected an option such as -p, -s or -j`);
        continue;
      }
      const opt = SHORT[optTok.text] ?? optTok.text;
      // The value of the options read here, taken once (no closure per option: this loop runs for every option).
      let t: Token | undefined;
      if (OWN_VALUE_OPTIONS.has(opt)) {
        // Obsolete placement `-s ! 1.2.3.4`, accepted by iptables before 1.4.3.
        t = cur.peek();
        if (t?.text === '!' && !t.quoted && !negated) {
          cur.next();
          negated = true;
          this.report(
            'PC009',
            range(n, t.start, t.end),
            `\`${optTok.text} ! …\` is the pre-2009 negation syntax that current iptables rejects: write \`! ${optTok.text} …\``,
          );
          t = cur.peek();
        }
        if (!t) {
          this.report('PC001', range(n, optTok.start, optTok.end), `\`${optTok.text}\` needs a value`);
          continue;
        }
        cur.next();
      }

      switch (opt) {
        case '--protocol': {
          if (!t) break;
          const names = t.text
            .toLowerCase()
            .split(',')
            .map((p) => PROTOCOL_NUMBERS[p] ?? p);
          protocol = { names, negated };
          for (const p of names)
            if (PORT_PROTOCOLS.has(p) || p === 'icmp' || p === 'icmpv6' || p === 'ipv6-icmp') modules.add(p === 'ipv6-icmp' ? 'icmpv6' : p);
          if (!names.includes('all')) conditions.push({ kind: 'protocol', protocols: names, negated, range: this.at(n, startCol, t.end) });
          else if (negated) conditions.push({ kind: 'protocol', protocols: [], negated: false, range: this.at(n, startCol, t.end) });
          break;
        }
        case '--source':
        case '--destination': {
          if (t) conditions.push(this.addresses(opt === '--source' ? 'source' : 'destination', t, negated, n, this.at(n, startCol, t.end)));
          break;
        }
        case '--in-interface':
        case '--out-interface': {
          if (!t) break;
          if (!/^[^\s/]{1,15}$/.test(t.text)) this.report('PC001', range(n, t.start, t.end), `invalid interface name \`${t.text}\``);
          const kind = opt === '--in-interface' ? 'inInterface' : 'outInterface';
          conditions.push({ kind, name: t.text, negated, range: this.at(n, startCol, t.end) });
          break;
        }
        case '--jump':
        case '--goto': {
          if (!t) break;
          target = t.text;
          action = this.action(opt, t, n, table.name, cur.peek());
          break;
        }
        case '--match': {
          if (t) modules.add(t.text.toLowerCase());
          break;
        }
        case '--fragment':
          conditions.push({ kind: 'opaque', text: negated ? '! -f' : '-f', range: this.at(n, startCol, optTok.end) });
          break;
        case '--set-counters':
          cur.next();
          cur.next();
          break;
        case '--ipv4':
        case '--ipv6':
          break;
        default: {
          const r = this.moduleOption(opt, optTok, negated, cur, n, modules, target, startCol);
          if (!r) break;
          if (r.comment !== undefined) comment = r.comment;
          if (r.targetOption) (targetOptions ??= new Map()).set(r.targetOption.name, r.targetOption.value);
          if (r.condition) {
            conditions.push(r.condition);
            if (r.condition.kind === 'dport' || r.condition.kind === 'sport' || r.condition.kind === 'port') portConds.push(r.condition);
          }
        }
      }
    }

    // Ports exist only in transport-layer headers: a port test needs the rule to be about TCP, UDP, SCTP or DCCP.
    for (const pc of portConds) {
      const ok = protocol && !protocol.negated && protocol.names.length > 0 && protocol.names.every((p) => PORT_PROTOCOLS.has(p));
      if (!ok) {
        this.problems.push({
          code: 'PC004',
          severity: CODES.PC004.severity,
          range: copyRange(pc.range),
          message: protocol
            ? `port match with protocol \`${protocol.negated ? '! ' : ''}${protocol.names.join(',')}\`: ports exist only in TCP, UDP, SCTP and DCCP headers, so this rule can never match as intended`
            : 'port match without `-p tcp` or `-p udp`: ports exist only in transport-layer headers, and iptables rejects this rule',
          data: { fix: 'add-protocol' },
        });
      }
    }

    if (action.kind === 'other' || action.kind === 'continue') action = this.translation(action, targetOptions ?? new Map(), n);
    // Arrays filled by push keep spare room; the rule keeps exact copies.
    return {
      id: this.ruleCount++,
      range: lineRange,
      table: table.name,
      chain,
      family: this.family,
      conditions: conditions.slice(),
      action,
      comment,
      chainRange,
    };
  }

  /** DNAT, REDIRECT and NOTRACK targets, with what their options say, as model actions. */
  private translation(action: Extract<Action, { kind: 'other' | 'continue' }>, options: Map<string, Token | undefined>, n: number): Action {
    const { target, range: r } = action;
    if (target === 'NOTRACK' || (target === 'CT' && options.has('--notrack'))) return { kind: 'notrack', range: r };
    if (target !== 'DNAT' && target !== 'REDIRECT') return action;
    const to = options.get(target === 'DNAT' ? '--to-destination' : '--to-ports') ?? options.get('--to');
    if (target === 'REDIRECT') {
      const toPorts = to ? this.natPorts(to.text, to, n) : undefined;
      return { kind: 'dnat', redirect: true, range: r, ...(toPorts ? { toPorts } : {}) };
    }
    if (!to) return action;
    // [address[-address]][:port[-port]]; IPv6 addresses with a port are written in brackets.
    const m =
      /^\[([^\]]*)\](?::(.*))?$/.exec(to.text) ??
      (this.family === 'ipv4' ? /^([^:]*)(?::(.*))?$/.exec(to.text) : [to.text, to.text, undefined]);
    const address = m?.[1] || undefined;
    const toPorts = m?.[2] ? this.natPorts(m[2], to, n) : undefined;
    return { kind: 'dnat', redirect: false, range: r, ...(address ? { toAddress: address } : {}), ...(toPorts ? { toPorts } : {}) };
  }

  private natPorts(text: string, tok: Token, n: number): [number, number] | undefined {
    const [a, b] = text.split('-').map((p) => this.portValue(p, undefined));
    if (a === undefined || Number.isNaN(a) || a > 65535 || (b !== undefined && (Number.isNaN(b) || b > 65535))) {
      this.report('PC002', range(n, tok.start, tok.end), `invalid port \`${text}\` in a NAT target: ports are 0–65535`);
      return undefined;
    }
    return [a, b ?? a];
  }

  private action(opt: string, t: Token, n: number, table: string, next: Token | undefined): Action {
    const r = this.at(n, t.start, t.end);
    const name = t.text;
    if (opt === '--goto') {
      this.jumps.push({ table, chain: name, range: r });
      return { kind: 'goto', chain: name, range: r };
    }
    const verdict = VERDICT_TARGETS[name];
    if (verdict) return { kind: verdict, range: r };
    if (CONTINUE_TARGETS.has(name)) return { kind: 'continue', target: name, range: r };
    if (OTHER_TARGETS.has(name)) return { kind: 'other', target: name, range: r };
    // An unknown extension target takes options (`-j FOO --foo-opt`); a user chain never does.
    const isOption = next?.text.startsWith('--') && !Object.values(MATCH_OPTIONS).some((o) => o[next.text] !== undefined);
    if (isOption) return { kind: 'other', target: name, range: r };
    this.jumps.push({ table, chain: name, range: r });
    return { kind: 'jump', chain: name, range: r };
  }

  /** Options that belong to a match module or a target: `--dport`, `--state`, `--log-prefix` … */
  private moduleOption(
    opt: string,
    optTok: Token,
    negated: boolean,
    cur: Cursor,
    n: number,
    modules: Set<string>,
    target: string | undefined,
    startCol: number,
  ): { condition?: Condition; comment?: string; targetOption?: { name: string; value: Token | undefined } } | undefined {
    let owner = ownerOf(opt, modules, target);
    if (owner === undefined) {
      opt = expandPrefix(opt, modules, target);
      owner = ownerOf(opt, modules, target);
    }
    let arity = owner === undefined ? undefined : (MATCH_OPTIONS[owner]?.[opt] ?? TARGET_OPTIONS[owner][opt]);
    if (arity === undefined) {
      const unknownExtension =
        [...modules].some((m) => !MATCH_OPTIONS[m]) ||
        (target !== undefined &&
          !TARGET_OPTIONS[target] &&
          !VERDICT_TARGETS[target] &&
          !CONTINUE_TARGETS.has(target) &&
          !OTHER_TARGETS.has(target));
      const isPort = [
        '--dport',
        '--sport',
        '--destination-port',
        '--source-port',
        '--dports',
        '--sports',
        '--ports',
        '--destination-ports',
        '--source-ports',
      ].includes(opt);
      if (isPort) {
        // Reported as PC004 by the caller once the whole rule is read; still model the ports.
        owner = opt.endsWith('s') ? 'multiport' : 'tcp';
        arity = 1;
      } else if (!unknownExtension) {
        const elsewhere = Object.entries(MATCH_OPTIONS).find(([, opts]) => opts[opt] !== undefined)?.[0];
        const hint = elsewhere ? ` (it belongs to \`-m ${elsewhere}\`, which this rule does not load)` : '';
        this.report('PC008', range(n, optTok.start, optTok.end), `unknown option \`${optTok.text}\`${hint}`);
      }
    }
    const args: Token[] = [];
    if (cur.peek()?.text === '!' && !cur.peek()!.quoted && !negated) {
      const t = cur.next()!;
      negated = true;
      this.report(
        'PC009',
        range(n, t.start, t.end),
        `\`${optTok.text} ! …\` is the pre-2009 negation syntax that current iptables rejects: write \`! ${optTok.text} …\``,
      );
    }
    const count = arity ?? -1;
    if (count < 0) {
      // A quoted "!" or "-x" is a value, not negation or the next option.
      for (let t = cur.peek(); t && (t.quoted || (!t.text.startsWith('-') && t.text !== '!')); t = cur.peek()) args.push(cur.next()!);
    }
    for (let k = 0; k < count; k++) {
      const t = cur.peek();
      if (!t) {
        this.report('PC001', range(n, optTok.start, optTok.end), `\`${optTok.text}\` needs ${count} value${count > 1 ? 's' : ''}`);
        break;
      }
      args.push(cur.next()!);
    }
    const last = args[args.length - 1] ?? optTok;
    const r = this.at(n, startCol, last.end);
    if (!args.length && (arity ?? 0) > 0) return undefined;
    const opaque = (): { condition: Condition } => opaqueOption(negated, optTok, args, r);
    if (!args.length && VALUE_OPTIONS.has(opt)) {
      // Known option, unknown arity here (its module is not loaded): it still needs its value.
      this.report('PC001', range(n, optTok.start, optTok.end), `\`${optTok.text}\` needs a value`);
      return opaque();
    }

    switch (opt) {
      case '--dport':
      case '--destination-port':
      case '--sport':
      case '--source-port':
      case '--dports':
      case '--destination-ports':
      case '--sports':
      case '--source-ports':
      case '--ports': {
        const multi = owner === 'multiport';
        const items = this.ports(
          args[0],
          n,
          multi,
          [...modules].find((m) => PORT_PROTOCOLS.has(m)),
        );
        const kind = opt === '--ports' ? 'port' : opt.startsWith('--d') ? 'dport' : 'sport';
        const set = PortSet.fromRanges(items.filter((i) => i.lo <= i.hi).map((i) => [i.lo, i.hi]));
        return { condition: { kind, set, negated, range: r, items } };
      }
      case '--state':
      case '--ctstate': {
        const states: ConnState[] = [];
        for (const s of args[0].text.split(',')) {
          const st = CONN_STATES[s.toUpperCase()];
          if (st) states.push(st);
          else
            this.report(
              'PC001',
              range(n, args[0].start, args[0].end),
              `unknown connection state \`${s}\` (expected NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED, SNAT or DNAT)`,
            );
        }
        return { condition: { kind: 'state', states: states.slice(), negated, range: r } };
      }
      case '--ctproto': {
        const p = args[0].text.toLowerCase();
        return {
          condition: {
            kind: 'ctTuple',
            direction: 'original',
            field: 'protocol',
            protocols: [PROTOCOL_NUMBERS[p] ?? p],
            negated,
            range: r,
          },
        };
      }
      case '--ctorigsrc':
      case '--ctorigdst':
      case '--ctreplsrc':
      case '--ctrepldst': {
        const a = this.addresses('source', args[0], false, n, r);
        if (a.kind !== 'source' || a.unresolved) return opaque();
        const field = opt.endsWith('src') ? 'source' : 'destination';
        return {
          condition: {
            kind: 'ctTuple',
            direction: opt.startsWith('--ctorig') ? 'original' : 'reply',
            field,
            set: a.set,
            negated,
            range: r,
          },
        };
      }
      case '--ctorigsrcport':
      case '--ctorigdstport':
      case '--ctreplsrcport':
      case '--ctrepldstport': {
        const items = this.ports(args[0], n, false, undefined);
        const set = PortSet.fromRanges(items.filter((i) => i.lo <= i.hi).map((i) => [i.lo, i.hi]));
        const field = opt.endsWith('srcport') ? 'sport' : 'dport';
        return {
          condition: {
            kind: 'ctTuple',
            direction: opt.startsWith('--ctorig') ? 'original' : 'reply',
            field,
            set,
            negated,
            range: r,
            items,
          },
        };
      }
      case '--syn':
        return { condition: { kind: 'tcpFlags', syn: true, negated, range: r } };
      case '--tcp-flags': {
        const mask = tcpFlagSet(args[0].text);
        const comp = tcpFlagSet(args[1]?.text ?? '');
        // A connection-opening packet carries exactly SYN; it matches when (flags & mask) == comp.
        const syn = mask.has('SYN') ? comp.size === 1 && comp.has('SYN') : comp.size === 0;
        return { condition: { kind: 'tcpFlags', syn, negated, range: r } };
      }
      case '--comment':
        return { comment: args[0].text };
      case '--src-range':
      case '--dst-range': {
        const set = AddressSet.parse(args[0].text);
        if (!set) {
          this.report(
            'PC007',
            range(n, args[0].start, args[0].end),
            `malformed address range \`${args[0].text}\`: expected a-b such as 10.0.0.1-10.0.0.9`,
          );
          return opaque();
        }
        return { condition: { kind: opt === '--src-range' ? 'source' : 'destination', set, negated, range: r } };
      }
      case '--mac-source':
        if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(args[0].text))
          this.report(
            'PC001',
            range(n, args[0].start, args[0].end),
            `invalid MAC address \`${args[0].text}\`: expected six hex bytes such as 02:00:00:00:00:01`,
          );
        return opaque();
      case '--icmp-type':
      case '--icmpv6-type':
        return opaque();
    }
    if (owner && TARGET_OPTIONS[owner]) return { targetOption: { name: opt, value: args[0] } }; // not a match: kept for the action
    if (owner === undefined && target !== undefined && !modules.size) return {};
    return opaque();
  }

  private ports(tok: Token, n: number, multi: boolean, protocol: string | undefined): PortItem[] {
    const items: PortItem[] = [];
    const base = tok.start + (tok.quoted ? 1 : 0);
    const parts = multi ? tok.text.split(',') : [tok.text];
    let offset = 0;
    if (multi && parts.length > 15)
      this.report(
        'PC001',
        range(n, tok.start, tok.end),
        `multiport accepts at most 15 ports (ranges count twice); this list has ${parts.length}`,
      );
    for (const part of parts) {
      const r = this.at(n, base + offset, base + offset + part.length);
      offset += part.length + 1;
      const colon = part.indexOf(':');
      const ends = colon < 0 ? [part] : [part.slice(0, colon), part.slice(colon + 1)];
      const values: number[] = [];
      let ok = true;
      for (const [k, e] of ends.entries()) {
        if (e === '') {
          values.push(k === 0 ? 0 : 65535); // `:1024` and `1024:` are open-ended
          continue;
        }
        const v = this.portValue(e, protocol);
        if (v === undefined) {
          ok = false;
          this.report('PC011', r, `unknown service name \`${e}\`: use a port number or a name from the IANA registry`);
        } else if (Number.isNaN(v) || v > 65535) {
          ok = false;
          this.report('PC002', r, `port \`${e}\` is out of range: ports are 0–65535`);
        } else values.push(v);
      }
      if (!ok) continue;
      const [lo, hi] = values.length === 1 ? [values[0], values[0]] : [values[0], values[1]];
      if (lo > hi) {
        this.problems.push({
          code: 'PC003',
          severity: CODES.PC003.severity,
          range: copyRange(r),
          message: `port range \`${part}\` is reversed (${lo} > ${hi}): it matches no packet, so this rule never applies — did you mean ${hi}:${lo}?`,
        });
      }
      const service = /^(\d+|0x[0-9a-f]+)$/i.test(ends[0]) ? undefined : ends[0];
      items.push({ text: part, range: r, lo, hi, service });
    }
    return items.slice();
  }

  private portValue(text: string, protocol: string | undefined): number | undefined {
    // iptables reads numbers with strtoul base 0: 0x1f90 is hexadecimal, a leading 0 octal.
    if (/^0x[0-9a-f]+$/i.test(text)) return parseInt(text.slice(2), 16);
    if (/^0[0-7]+$/.test(text)) return parseInt(text, 8);
    if (/^\d+$/.test(text)) return Number(text);
    if (/^[A-Za-z][\w.+-]*$/.test(text)) return this.ctx.resolveService(text, protocol);
    return NaN;
  }

  /** Address tokens seen before, parsed cleanly: equal networks share one set, which analysis caches by identity. */
  readonly addressSets: Map<string, AddressSet> = new Map();

  private addresses(kind: 'source' | 'destination', t: Token, negated: boolean, n: number, r: Range): Condition {
    const known = this.addressSets.get(t.text);
    if (known) return { kind, set: known, negated, range: r };
    const problems = this.problems.length;
    let set = AddressSet.NONE;
    const unresolved: string[] = [];
    const base = t.start + (t.quoted ? 1 : 0);
    let offset = 0;
    for (const part of t.text.split(',')) {
      const pr = range(n, base + offset, base + offset + part.length);
      offset += part.length + 1;
      const parsed = AddressSet.parse(part);
      if (parsed) {
        if (this.family === 'ipv4' && !parsed.v6.isEmpty())
          this.report('PC007', pr, `IPv6 address \`${part}\` in an IPv4 (iptables) ruleset`);
        if (this.family === 'ipv6' && !parsed.v4.isEmpty())
          this.report('PC007', pr, `IPv4 address \`${part}\` in an IPv6 (ip6tables) ruleset`);
        set = set.union(parsed);
      } else if (isHostname(part)) unresolved.push(part);
      else this.report('PC007', pr, `malformed address \`${part}\`: expected an address or network such as 192.0.2.0/24 or 2001:db8::/32`);
    }
    if (!unresolved.length && this.problems.length === problems) this.addressSets.set(t.text, set);
    return { kind, set, negated, range: r, ...(unresolved.length ? { unresolved } : {}) };
  }

  checkJumps(): void {
    for (const j of this.jumps) {
      const table = this.tables.find((t) => t.name === j.table);
      if (table && (this.chainIndex.get(table) ?? new Map(table.chains.map((x) => [x.name, x]))).has(j.chain)) continue;
      // ufw creates its logging and skip-to-policy chains itself; its rules files jump to them by design.
      if (/^ufw6?-/.test(j.chain) && table?.chains.some((c) => /^ufw6?-/.test(c.name))) continue;
      this.report(
        'PC005',
        j.range,
        `jump to undefined chain \`${j.chain}\` in table \`${j.table}\`: iptables-restore fails to load this ruleset (\`iptables-restore --test\` does not notice)`,
      );
    }
  }
}

/** Flag lists seen before (`FIN,SYN,RST,ACK` on every rule of some files), shared; bounded. */
const tcpFlagSets = new Map<string, ReadonlySet<string>>();

function tcpFlagSet(s: string): ReadonlySet<string> {
  let set = tcpFlagSets.get(s);
  if (!set) {
    const up = s.toUpperCase();
    if (up === 'ALL') set = new Set(['SYN', 'ACK', 'FIN', 'RST', 'URG', 'PSH', 'ECE', 'CWR']);
    else set = up === 'NONE' ? new Set() : new Set(up.split(','));
    if (tcpFlagSets.size < 256) tcpFlagSets.set(s, set);
  }
  return set;
}

/** The loaded match module (or the target) that defines an option, if any. */
function ownerOf(name: string, modules: Set<string>, target: string | undefined): string | undefined {
  for (const m of modules) if (MATCH_OPTIONS[m]?.[name] !== undefined) return m;
  if (target && TARGET_OPTIONS[target]?.[name] !== undefined) return target;
  return undefined;
}

function opaqueOption(negated: boolean, optTok: Token, args: Token[], r: Range): { condition: Condition } {
  const text = [negated ? '!' : '', optTok.text, ...args.map((a) => a.text)].filter(Boolean).join(' ');
  return { condition: { kind: 'opaque', text, range: r } };
}

/**
 * iptables parses options with getopt_long, which accepts any unambiguous prefix (`--mac` for `--mac-source`).
 */
function expandPrefix(opt: string, modules: Set<string>, target: string | undefined): string {
  const pools = [...[...modules].map((m) => MATCH_OPTIONS[m]), target ? TARGET_OPTIONS[target] : undefined].filter(Boolean) as Record<
    string,
    number
  >[];
  if (pools.some((p) => p[opt] !== undefined)) return opt;
  const candidates = new Set(pools.flatMap((p) => Object.keys(p).filter((o) => o.startsWith(opt))));
  return candidates.size === 1 ? [...candidates][0] : opt;
}

/** ufw attaches its own chains to the built-in ones outside the rules files; treat them as hooked there. */
function ufwHook(name: string): string | undefined {
  const m = /^ufw6?-(?:before|after|user|reject|track|skip|logging|not-local)?-?(input|forward|output)$/.exec(name);
  return m && /^ufw6?-(before|after|user)-(input|forward|output)$/.test(name) ? m[1] : undefined;
}

function isHostname(s: string): boolean {
  return /^(?=.*[A-Za-z])[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$/.test(s) && !/^[0-9a-f:]+$/i.test(s);
}

/** Address family from the file: ip6tables-save header, IPv6 addresses, or a name such as rules.v6 / user6.rules. */
export function detectFamily(text: string, path?: string): Family {
  return familyOf(familyEvidence(text, path));
}

/** What decides the family: the name or the header (`fixed`), else which kind of address `-s`/`-d` name more often. */
export interface FamilyEvidence {
  fixed: boolean;
  v4: number;
  v6: number;
}

export const familyOf = (e: FamilyEvidence): Family => (e.fixed || e.v6 > e.v4 ? 'ipv6' : 'ipv4');

export const IP6TABLES_HEADER = /^# Generated by ip6tables-save/m;

export function familyEvidence(text: string, path?: string): FamilyEvidence {
  if (path && /(^|[/\\])(rules\.v6|ip6tables[^/\\]*|[^/\\]*6\.rules|[^/\\]*\.v6\.rules)$/i.test(path)) return { fixed: true, v4: 0, v6: 0 };
  if (IP6TABLES_HEADER.test(text)) return { fixed: true, v4: 0, v6: 0 };
  return { fixed: false, ...addressCounts(text) };
}

/** How many `-s`/`-d` values look like IPv4 and IPv6 addresses. */
export function addressCounts(text: string): { v4: number; v6: number } {
  let v4 = 0;
  let v6 = 0;
  for (const m of text.matchAll(/\s-[sd]\s+(?:!\s+)?([0-9A-Fa-f.:]+)/g)) {
    if (m[1].includes(':')) v6++;
    else if (m[1].includes('.')) v4++;
  }
  return { v4, v6 };
}

const copyRange = (r: Range): Range => ({ start: { ...r.start }, end: { ...r.end } });
