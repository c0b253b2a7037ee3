/**
 * nftables (`nft -f`) parser: a tokenizer plus a recursive-descent reader for both block style
 * (`table inet filter { chain input { type filter hook input priority 0; policy drop; … } }`) and command style
 * (`add chain ip filter INPUT { … }`, `add rule ip filter INPUT tcp dport 22 accept`).
 *
 * Mapping to the model:
 * - Each table becomes a Table named `<family> <name>` (two tables may share a name across families); its
 *   family is ipv4 (ip), ipv6 (ip6) or both (inet, bridge, arp, netdev). Base chains get `hook`, `type` and a
 *   policy (nft's default is accept); chains of the arp, bridge and netdev families get type 'other' (they see
 *   frames, not the host's IP input path).
 * - `tcp dport …` implies a protocol condition; `ip …`/`icmp …`/`meta nfproto ipv4` in an inet table restrict the
 *   rule to IPv4 by a source condition over all IPv4 addresses (and `ip6 …` to IPv6), so the per-family exposure
 *   walk skips the rule for the other family.
 * - Named sets with constant elements are expanded; dynamic or empty sets, maps and everything else the model
 *   cannot express become `opaque` conditions.
 *
 * Errors agree with `nft -c` (1.0.6) where the file is certain to be rejected: unbalanced braces, unknown
 * statements, keywords or bad characters as table/chain names, ports out of range, reversed ranges, unknown
 * services, undefined variables, sets and chains, a meter redefined with another body. Recovery is at the next
 * newline, `;` or `}`.
 */
import { AddressSet, type Family } from '../../model/addresses';
import { CODES, type Code } from '../../model/codes';
import type { Finding } from '../../model/finding';
import { PortSet } from '../../model/ports';
import type { Position, Range } from '../../model/range';
import type { Action, Chain, Condition, ConnState, Hook, PortItem, Rule, Ruleset, Table } from '../../model/ruleset';
import type { ParseContext } from '../format';
import { expandRule } from './expand';
import { lexTokens, type Tok, type Tokens } from './lexer';
import {
  BINOPS,
  CT_STATES,
  FAMILIES,
  HOOKS,
  IDENTIFIER,
  NFT_KEYWORDS,
  PORT_PROTOCOLS,
  PROTOCOL_NAMES,
  RELOPS,
  STATEMENT_START,
  VERDICTS,
} from './keywords';

/** Where the matches of a rule start (after `add rule <family> <table> <chain>`), for edits that insert a match. */
export const ruleBodyStart = new WeakMap<Rule, Position>();
/** For base chains: where the `type … hook … ;` statement ends, for inserting a policy. */
export const chainTypeEnd = new WeakMap<Chain, Position>();
/** Command-style files: the `add rule <family> <table> <chain>` prefix a new rule for a chain needs. */
export const chainRulePrefix = new WeakMap<Chain, string>();

interface NamedSet {
  name: string;
  elements: Tok[][];
  dynamic: boolean;
  isMap: boolean;
  range: Range;
}

interface TableState {
  table: Table;
  family: string;
  name: string;
  sets: Map<string, NamedSet>;
  meters: Map<string, string>;
  /** The table's chains by name (a ruleset may have hundreds, and every rule names one). */
  chains: Map<string, Chain>;
}

interface Elem {
  text: string;
  range: Range;
  toks: Tok[];
}

interface Value {
  kind: 'list' | 'set' | 'named' | 'other';
  elems: Elem[];
  range: Range;
  /** For `@name`. */
  setName?: string;
  /** Expanded from a named set that may change at run time (dynamic, or no constant elements). */
  dynamic?: boolean;
}

// Problems keep their own positions: only the model's ranges share them.
const copyRange = (r: Range): Range => ({ start: { ...r.start }, end: { ...r.end } });

/** nft's named priorities for the ip, ip6 and inet families, with an optional `+ n` / `- n`. */
function namedPriority(text: string): number | undefined {
  const named: Record<string, number> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 };
  const m = /^(?:([a-z]+)\s*)?([+-]?\s*\d+)?$/.exec(text.trim());
  if (!m || (!m[1] && !m[2]) || (m[1] && named[m[1]] === undefined)) return undefined;
  return (m[1] ? named[m[1]] : 0) + (m[2] ? Number(m[2].replace(/\s+/g, '')) : 0);
}

const FAMILY_OF: Record<string, Family | 'both'> = { ip: 'ipv4', ip6: 'ipv6', inet: 'both', arp: 'both', bridge: 'both', netdev: 'both' };

export function parseNftables(text: string, ctx: ParseContext): Ruleset {
  return new NftParser(text, ctx).run();
}

/** How many recently read tokens keep their object form (a rule's tokens are read a few times each). */
const WINDOW = 64;

class NftParser {
  private readonly toks: Tokens;
  /** Token objects by index modulo WINDOW, built when first read: tokens live as numbers until then. */
  private readonly window: (Tok | undefined)[] = new Array(WINDOW);
  private readonly windowIndex = new Int32Array(WINDOW).fill(-1);
  private i = 0;
  private readonly problems: Finding[] = [];
  private readonly tables: TableState[] = [];
  private readonly defines = new Map<string, Tok[]>();
  private readonly jumps: { ts: TableState; name: string; range: Range }[] = [];
  private ruleCount = 0;
  private includes = 0;

  constructor(
    text: string,
    private readonly ctx: ParseContext,
  ) {
    this.toks = lexTokens(text);
  }

  run(): Ruleset {
    while (this.peek().kind !== 'eof') {
      const before = this.i;
      try {
        this.topStatement();
      } catch (e) {
        const t = this.at(Math.min(before, this.toks.count - 1));
        this.report('PC001', this.r(t), `internal parser error: ${(e as Error).message}`);
        this.skipStatement();
      }
      if (this.i === before) this.i++;
    }
    for (const k of this.toks.unterminated) this.report('PC001', this.r(this.at(k)), 'unterminated quoted string');
    this.checkJumps();
    const fams = new Set(this.tables.map((t) => t.table.family));
    const family: Family | 'both' = fams.size === 0 ? (this.ctx.family ?? 'ipv4') : fams.size === 1 ? [...fams][0] : 'both';
    // Report each problem once (a named set's bad element is seen at every use).
    const seen = new Set<string>();
    const problems = this.problems.filter((p) => {
      const k = `${p.code}:${p.range.start.line}:${p.range.start.character}:${p.range.end.line}:${p.range.end.character}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    return { format: 'nftables', family, tables: this.tables.map((t) => t.table), problems };
  }

  // ---- token helpers -------------------------------------------------------------------------------------

  private peek(k = 0): Tok {
    return this.at(Math.min(this.i + k, this.toks.count - 1));
  }
  private at(index: number): Tok {
    const slot = index % WINDOW;
    if (this.windowIndex[slot] === index) return this.window[slot]!;
    const t = this.toks.tok(index);
    this.window[slot] = t;
    this.windowIndex[slot] = index;
    return t;
  }
  private next(): Tok {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }
  private isEnd(t: Tok): boolean {
    return t.kind === 'nl' || t.kind === 'eof' || (t.kind === 'punct' && (t.text === ';' || t.text === '}'));
  }
  private isWord(t: Tok, w?: string): boolean {
    return t.kind === 'word' && (w === undefined || t.text === w);
  }
  private isPunct(t: Tok, p: string): boolean {
    return t.kind === 'punct' && t.text === p;
  }

  /** Problems already reported: a verdict map's elements re-read the rule's other matches. */
  private readonly reported = new Set<string>();

  private report(code: Code, range: Range, message: string, data?: Finding['data']): void {
    const key = `${code}\u0000${range.start.line}:${range.start.character}\u0000${message}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.problems.push({ code, severity: CODES[code].severity, message, range: copyRange(range), ...(data ? { data } : {}) });
  }

  /**
   * Positions of the line being read, one object per character: the ranges of a rule share them where they meet
   * (fewer objects per rule; whatever moves positions moves each object once).
   */
  private readonly positions: (Position | undefined)[] = [];

  /** The position object at `character` of `line` (one made for another line is replaced). */
  private position(line: number, character: number): Position {
    let p = this.positions[character];
    if (p?.line !== line) this.positions[character] = p = { line, character };
    return p;
  }
  /** The range of token `t`, on shared positions. */
  r(t: Tok): Range {
    return { start: this.position(t.line, t.start), end: this.position(t.line, t.end) };
  }
  /** From the start of `a` to the end of `b`, on shared positions. */
  span(a: Tok, b: Tok): Range {
    return { start: this.position(a.line, a.start), end: this.position(b.line, b.end) };
  }

  /** Skips to the end of the statement: newline or `;` at depth 0 (consumed), or a `}` at depth 0 (not consumed). */
  private skipStatement(): void {
    let depth = 0;
    const opens: Tok[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') {
        if (depth > 0) this.report('PC001', this.r(opens[opens.length - 1]), 'unbalanced `{`: the matching `}` is missing');
        return;
      }
      if (t.kind === 'punct' && t.text === '{') {
        depth++;
        opens.push(t);
      } else if (t.kind === 'punct' && t.text === '}') {
        if (depth === 0) return;
        depth--;
        opens.pop();
      } else if (depth === 0 && (t.kind === 'nl' || (t.kind === 'punct' && t.text === ';'))) {
        this.i++;
        return;
      }
      this.i++;
    }
  }

  /** Consumes a `{ … }` group (the current token is `{`), returning its tokens without the outer braces. */
  private braceGroup(): Tok[] {
    const open = this.next();
    const inner: Tok[] = [];
    let depth = 1;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') {
        this.report('PC001', this.r(open), 'unbalanced `{`: the matching `}` is missing');
        return inner;
      }
      this.i++;
      if (this.isPunct(t, '{')) depth++;
      else if (this.isPunct(t, '}') && --depth === 0) return inner;
      inner.push(t);
    }
  }

  private skipNewlines(): void {
    while (this.peek().kind === 'nl' || this.isPunct(this.peek(), ';')) this.i++;
  }

  // ---- top level ---------------------------------------------------------------------------------------------

  private topStatement(): void {
    const t = this.peek();
    if (t.kind === 'nl' || this.isPunct(t, ';')) {
      this.i++;
      return;
    }
    if (this.isPunct(t, '}')) {
      this.i++;
      this.report('PC001', this.r(t), 'unbalanced `}`: no block is open here');
      return;
    }
    if (t.kind !== 'word') {
      this.report(
        'PC001',
        this.r(t),
        `unexpected ${t.kind === 'string' ? 'string' : `\`${t.text}\``}: expected a command such as \`table\`, \`add rule\`, \`define\` or \`include\``,
      );
      this.skipStatement();
      return;
    }
    switch (t.text) {
      case 'define':
      case 'redefine':
        return this.define();
      case 'undefine':
        this.i++;
        if (this.peek().kind === 'word') this.defines.delete(this.next().text);
        return this.skipStatement();
      case 'include':
        this.i++;
        this.includes++;
        if (this.peek().kind !== 'string') this.report('PC001', this.r(this.peek()), '`include` needs a quoted file name');
        return this.skipStatement();
      case 'add':
      case 'create':
      case 'insert':
      case 'replace':
        this.i++;
        return this.command(t.text);
      case 'delete':
      case 'destroy':
      case 'flush':
      case 'list':
      case 'reset':
      case 'rename':
      case 'monitor':
      case 'describe':
      case 'get':
      case 'export':
      case 'import':
        // These change or show kernel state; they add nothing to the ruleset this file describes.
        return this.skipStatement();
      case 'table':
      case 'chain':
      case 'rule':
      case 'set':
      case 'map':
      case 'element':
        return this.command('add');
      default:
        if (NFT_KEYWORDS.has(t.text) || /^(counter|quota|limit|secmark|synproxy|flowtable|ct)$/.test(t.text)) return this.command('add');
        this.report(
          'PC001',
          this.r(t),
          `unknown command \`${t.text}\`: expected \`table\`, \`add\`, \`insert\`, \`flush\`, \`define\`, \`include\` …`,
        );
        this.skipStatement();
    }
  }

  private define(): void {
    const kw = this.next();
    const name = this.next();
    if (name.kind !== 'word') {
      this.report('PC001', this.r(name.kind === 'eof' ? kw : name), '`define` needs a variable name');
      return this.skipStatement();
    }
    if (!this.isWord(this.peek(), '=')) {
      this.report('PC001', this.r(this.peek().kind === 'nl' ? name : this.peek()), `expected \`=\` after \`define ${name.text}\``);
      return this.skipStatement();
    }
    this.i++;
    const value: Tok[] = [];
    let depth = 0;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') break;
      if (depth === 0 && (t.kind === 'nl' || this.isPunct(t, ';') || this.isPunct(t, '}'))) break;
      if (this.isPunct(t, '{')) depth++;
      if (this.isPunct(t, '}')) depth--;
      value.push(t);
      this.i++;
    }
    if (depth > 0) this.report('PC001', this.r(value.find((v) => this.isPunct(v, '{')) ?? name), 'unbalanced `{`: the matching `}` is missing');
    if (!value.length) this.report('PC001', this.r(name), `\`define ${name.text}\` has no value`);
    this.defines.set(name.text, value);
    this.skipStatement();
  }

  /** Optional family, then a table name. */
  private tableRef(): { family: string; name: Tok } | undefined {
    let family = 'ip';
    if (this.isWord(this.peek()) && FAMILIES.has(this.peek().text) && !this.isEnd(this.peek(1)) && !this.isPunct(this.peek(1), '{'))
      family = this.next().text;
    const name = this.peek();
    if (name.kind !== 'word' && name.kind !== 'string') {
      this.report('PC001', this.r(name.kind === 'eof' || name.kind === 'nl' ? this.at(this.i - 1) : name), 'expected a table name');
      return undefined;
    }
    this.i++;
    this.checkName(name, 'table');
    return { family, name };
  }

  /** nft 1.0.6 reads table, chain and set names as unquoted identifiers only, never keywords. */
  private checkName(t: Tok, what: string): void {
    if (t.kind === 'string') {
      this.report('PC001', this.r(t), `nft 1.0.6 does not accept a quoted ${what} name ("${t.text}"): use a plain identifier`);
    } else if (t.text.startsWith('$')) {
      this.variable(t);
    } else if (NFT_KEYWORDS.has(t.text)) {
      this.report(
        'PC001',
        this.r(t),
        `\`${t.text}\` is an nft keyword and cannot name a ${what}: nft rejects it (quoted or not); rename the ${what}`,
      );
    } else if (!IDENTIFIER.test(t.text)) {
      this.report(
        'PC001',
        this.r(t),
        `invalid ${what} name \`${t.text}\`: nft names start with a letter, \`_\` or \`.\` and contain only letters, digits and \`/ - _ .\``,
      );
    }
  }

  private getTable(family: string, name: Tok): TableState {
    let ts = this.tables.find((t) => t.family === family && t.name === name.text);
    if (!ts) {
      ts = {
        family,
        name: name.text,
        sets: new Map(),
        meters: new Map(),
        chains: new Map(),
        table: { name: `${family} ${name.text}`, family: FAMILY_OF[family] ?? 'both', range: this.r(name), chains: [] },
      };
      this.tables.push(ts);
    }
    return ts;
  }

  private getChain(ts: TableState, name: Tok, declared: boolean): Chain {
    let c = ts.chains.get(name.text);
    if (!c) {
      c = { name: name.text, table: ts.table.name, family: ts.table.family, type: 'other', range: this.r(name), declared, rules: [] };
      ts.table.chains.push(c);
      ts.chains.set(c.name, c);
    } else if (declared && !c.declared) {
      c.declared = true;
      c.range = this.r(name);
    }
    return c;
  }

  private command(verb: string): void {
    const obj = this.peek();
    if (obj.kind !== 'word') {
      this.report(
        'PC001',
        this.r(obj.kind === 'nl' || obj.kind === 'eof' ? this.at(this.i - 1) : obj),
        `expected \`table\`, \`chain\`, \`rule\`, \`set\`, \`map\` or \`element\` after \`${verb}\``,
      );
      return this.skipStatement();
    }
    this.i++;
    switch (obj.text) {
      case 'table': {
        const ref = this.tableRef();
        if (!ref) return this.skipStatement();
        const ts = this.getTable(ref.family, ref.name);
        if (this.isPunct(this.peek(), '{')) return this.tableBlock(ts);
        return this.skipStatement();
      }
      case 'chain': {
        const ref = this.tableRef();
        if (!ref) return this.skipStatement();
        const ts = this.getTable(ref.family, ref.name);
        const name = this.next();
        if (name.kind !== 'word' && name.kind !== 'string') {
          this.report('PC001', this.r(obj), 'expected a chain name');
          return this.skipStatement();
        }
        this.checkName(name, 'chain');
        const chain = this.getChain(ts, name, true);
        chainRulePrefix.set(chain, `add rule ${ref.family} ${ref.name.text} ${name.text}`);
        if (this.isPunct(this.peek(), '{')) {
          const open = this.next();
          this.chainBody(ts, chain, open);
        }
        return this.skipStatement();
      }
      case 'rule': {
        const ref = this.tableRef();
        if (!ref) return this.skipStatement();
        const ts = this.getTable(ref.family, ref.name);
        const name = this.next();
        if (name.kind !== 'word' && name.kind !== 'string') {
          this.report('PC001', this.r(obj), 'expected a chain name');
          return this.skipStatement();
        }
        this.checkName(name, 'chain');
        if (!ts.chains.has(name.text)) this.jumps.push({ ts, name: name.text, range: this.r(name) });
        const chain = this.getChain(ts, name, false);
        let insert = verb === 'insert';
        while (this.isWord(this.peek()) && /^(position|handle|index)$/.test(this.peek().text)) {
          this.i++;
          this.i++;
        }
        if (verb === 'replace') insert = false;
        const start = this.at(this.i - 1);
        this.rule(ts, chain, obj, insert, this.position(start.line, start.end + 1), this.r(name));
        return;
      }
      case 'set':
      case 'map': {
        const ref = this.tableRef();
        if (!ref) return this.skipStatement();
        const ts = this.getTable(ref.family, ref.name);
        const name = this.next();
        this.checkName(name, obj.text);
        if (this.isPunct(this.peek(), '{')) this.setBody(ts, name, obj.text === 'map');
        return this.skipStatement();
      }
      case 'element': {
        const ref = this.tableRef();
        if (!ref) return this.skipStatement();
        const ts = this.getTable(ref.family, ref.name);
        const name = this.next();
        const set = ts.sets.get(name.text);
        if (!set && !this.includes) this.report('PC001', this.r(name), `undefined set \`${name.text}\` in table ${ts.table.name}`);
        if (this.isPunct(this.peek(), '{')) {
          const elems = this.splitElements(this.braceGroup());
          if (set) set.elements.push(...elems);
        }
        return this.skipStatement();
      }
      case 'ruleset':
        return this.skipStatement();
      default:
        // Stateful objects (counter, quota, limit, secmark, ct helper, flowtable …): accepted, not modelled.
        return this.skipStatement();
    }
  }

  // ---- blocks ------------------------------------------------------------------------------------------------

  private tableBlock(ts: TableState): void {
    const open = this.next();
    for (;;) {
      this.skipNewlines();
      const t = this.peek();
      if (t.kind === 'eof') {
        this.report('PC001', this.r(open), `unbalanced \`{\`: table ${ts.table.name} is not closed with \`}\``);
        return;
      }
      if (this.isPunct(t, '}')) {
        this.i++;
        return;
      }
      const before = this.i;
      this.tableItem(ts);
      if (this.i === before) this.i++;
    }
  }

  private tableItem(ts: TableState): void {
    const t = this.next();
    if (t.kind !== 'word') {
      this.report(
        'PC001',
        this.r(t),
        `unexpected ${t.kind === 'string' ? 'string' : `\`${t.text}\``} in table ${ts.table.name}: expected \`chain\`, \`set\`, \`map\` …`,
      );
      return this.skipStatement();
    }
    switch (t.text) {
      case 'chain': {
        const name = this.next();
        if (name.kind !== 'word' && name.kind !== 'string') {
          this.report('PC001', this.r(t), 'expected a chain name');
          return this.skipStatement();
        }
        this.checkName(name, 'chain');
        const chain = this.getChain(ts, name, true);
        if (!this.isPunct(this.peek(), '{')) {
          this.report('PC001', this.r(this.peek().kind === 'nl' ? name : this.peek()), `expected \`{\` after \`chain ${name.text}\``);
          return this.skipStatement();
        }
        const open = this.next();
        return this.chainBody(ts, chain, open);
      }
      case 'set':
      case 'map': {
        const name = this.next();
        this.checkName(name, t.text);
        if (!this.isPunct(this.peek(), '{')) {
          this.report('PC001', this.r(this.peek().kind === 'nl' ? name : this.peek()), `expected \`{\` after \`${t.text} ${name.text}\``);
          return this.skipStatement();
        }
        return this.setBody(ts, name, t.text === 'map');
      }
      case 'flags':
      case 'comment':
        return this.skipStatement();
      case 'flowtable':
      case 'counter':
      case 'quota':
      case 'limit':
      case 'secmark':
      case 'synproxy':
      case 'ct':
        return this.skipStatement();
      default:
        this.report(
          'PC001',
          this.r(t),
          `unknown statement \`${t.text}\` in table ${ts.table.name}: expected \`chain\`, \`set\`, \`map\`, \`flowtable\`, \`counter\`, \`quota\`, \`ct helper\` …`,
        );
        return this.skipStatement();
    }
  }

  private setBody(ts: TableState, name: Tok, isMap: boolean): void {
    const inner = this.braceGroup();
    const set: NamedSet = { name: name.text, elements: [], dynamic: false, isMap, range: this.r(name) };
    for (let k = 0; k < inner.length; k++) {
      const t = inner[k];
      if (t.kind !== 'word') continue;
      if (t.text === 'flags') {
        for (let j = k + 1; j < inner.length && inner[j].kind !== 'nl' && !this.isPunct(inner[j], ';'); j++)
          if (/^(dynamic|timeout)$/.test(inner[j].text)) set.dynamic = true;
      } else if (t.text === 'timeout') set.dynamic = true;
      else if (t.text === 'elements') {
        let j = k + 1;
        if (inner[j]?.text === '=') j++;
        if (this.isPunct(inner[j], '{')) {
          let depth = 0;
          const group: Tok[] = [];
          for (; j < inner.length; j++) {
            if (this.isPunct(inner[j], '{')) depth++;
            else if (this.isPunct(inner[j], '}')) depth--;
            group.push(inner[j]);
            if (depth === 0) break;
          }
          set.elements.push(...this.splitElements(group.slice(1, -1)));
          k = j;
        }
      }
    }
    ts.sets.set(name.text, set);
  }

  /** Splits the inside of `{ … }` at top-level commas and newlines into element token groups. */
  private splitElements(inner: Tok[]): Tok[][] {
    const out: Tok[][] = [];
    let cur: Tok[] = [];
    let depth = 0;
    for (const t of inner) {
      if (this.isPunct(t, '{') || this.isPunct(t, '(')) depth++;
      if (this.isPunct(t, '}') || this.isPunct(t, ')')) depth--;
      if (depth === 0 && (this.isPunct(t, ',') || t.kind === 'nl')) {
        if (cur.length) out.push(cur);
        cur = [];
        continue;
      }
      cur.push(t);
    }
    if (cur.length) out.push(cur);
    return out;
  }

  private chainBody(ts: TableState, chain: Chain, open: Tok): void {
    for (;;) {
      this.skipNewlines();
      const t = this.peek();
      if (t.kind === 'eof') {
        this.report('PC001', this.r(open), `unbalanced \`{\`: chain ${chain.name} is not closed with \`}\``);
        return;
      }
      if (this.isPunct(t, '}')) {
        this.i++;
        return;
      }
      const before = this.i;
      if (this.isWord(t, 'type')) this.chainType(ts, chain);
      else if (this.isWord(t, 'policy')) this.chainPolicy(chain);
      else if (this.isWord(t, 'comment') && this.peek(1).kind === 'string' && this.isEnd(this.peek(2))) this.skipStatement();
      else if (this.isWord(t, 'devices') || (this.isWord(t, 'device') && !this.isEnd(this.peek(1)))) this.skipStatement();
      else this.rule(ts, chain, undefined, false, undefined);
      if (this.i === before) this.i++;
    }
  }

  private chainType(ts: TableState, chain: Chain): void {
    this.i++;
    const type = this.next();
    let hook: Tok | undefined;
    let priority: number | undefined;
    let last = type;
    while (!this.isEnd(this.peek())) {
      const t = this.next();
      last = t;
      if (this.isWord(t, 'hook')) {
        hook = this.next();
        last = hook;
      } else if (this.isWord(t, 'priority')) {
        const words: string[] = [];
        while (!this.isEnd(this.peek()) && !this.isWord(this.peek(), 'policy') && !this.isPunct(this.peek(), '{')) {
          last = this.next();
          words.push(last.text);
        }
        priority = namedPriority(words.join(' '));
      } else if (this.isPunct(t, '{')) {
        this.i--;
        this.braceGroup();
      }
    }
    if (!['filter', 'nat', 'route'].includes(type.text))
      this.report('PC001', this.r(type), `unknown chain type \`${type.text}\`: expected filter, nat or route`);
    if (!hook) this.report('PC001', this.r(type), 'base chain needs `hook <name>` (e.g. `type filter hook input priority 0;`)');
    else if (!HOOKS.has(hook.text))
      this.report(
        'PC001',
        this.r(hook),
        `unknown hook \`${hook.text}\`: expected prerouting, input, forward, output, postrouting, ingress or egress`,
      );
    if (hook && HOOKS.has(hook.text)) chain.hook = hook.text as Hook;
    const l2 = ts.family === 'arp' || ts.family === 'bridge' || ts.family === 'netdev';
    chain.type = l2 ? 'other' : type.text === 'filter' ? 'filter' : type.text === 'nat' ? 'nat' : type.text === 'route' ? 'route' : 'other';
    // Only chains on the IP hooks are ordered with iptables' tables and conntrack; arp/bridge/netdev are not.
    if (!l2) chain.priority = priority ?? 0;
    if (!chain.policy) chain.policy = 'accept';
    chainTypeEnd.set(chain, { line: last.line, character: this.isPunct(this.peek(), ';') ? this.peek().end : last.end });
    this.skipStatement();
  }

  private chainPolicy(chain: Chain): void {
    const kw = this.next();
    let v = this.next();
    let vr = this.r(v);
    if (v.text.startsWith('$')) {
      const vals = this.variable(v);
      if (vals?.length === 1) v = { ...vals[0], line: v.line, start: v.start, end: v.end };
      vr = this.r(v);
    }
    if (v.text === 'accept' || v.text === 'drop') {
      chain.policy = v.text;
      chain.policyRange = vr;
    } else this.report('PC001', this.isEnd(v) ? this.r(kw) : vr, `chain policy must be \`accept\` or \`drop\`, not \`${v.text}\``);
    this.skipStatement();
  }

  private variable(t: Tok): Tok[] | undefined {
    const name = t.text.slice(1);
    const v = this.defines.get(name);
    if (!v) {
      if (!this.includes) this.report('PC001', this.r(t), `undefined variable \`$${name}\`: define it first with \`define ${name} = …\``);
      return undefined;
    }
    return v;
  }

  // ---- rules -------------------------------------------------------------------------------------------------

  private rule(
    ts: TableState,
    chain: Chain,
    cmd: Tok | undefined,
    insert: boolean,
    bodyStart: Position | undefined,
    chainRange?: Range,
  ): void {
    // Collect the rule's tokens: up to a newline, `;` or `}` at depth 0; braces may span lines (newlines dropped).
    const body: Tok[] = [];
    let depth = 0;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') break;
      if (depth === 0 && this.isEnd(t)) break;
      if (this.isPunct(t, '{') || this.isPunct(t, '(')) depth++;
      if (this.isPunct(t, '}') || this.isPunct(t, ')')) depth--;
      if (t.kind !== 'nl') body.push(t);
      this.i++;
    }
    if (depth > 0) {
      const open = body.find((t) => this.isPunct(t, '{') || this.isPunct(t, '('));
      this.report('PC001', this.r(open ?? body[0] ?? this.peek()), 'unbalanced `{`: the matching `}` is missing');
    }
    if (this.isPunct(this.peek(), ';') || this.peek().kind === 'nl') this.i++;
    if (!body.length && !cmd) return;
    const first = cmd ?? body[0];
    const last = body[body.length - 1] ?? this.at(this.i - 1);
    const rules: Rule[] = [];
    for (const one of expandRule(body, (name) => ts.sets.get(name))) {
      const rule = new RuleReader(this, ts, chain, one).read();
      if (!rule.ok) return;
      const full: Rule = {
        id: this.ruleCount++,
        range: this.span(first, last),
        table: ts.table.name,
        chain: chain.name,
        family: rule.family,
        // Arrays filled by push keep spare room; the rule keeps an exact copy.
        conditions: rule.conditions.slice(),
        action: rule.action,
      };
      if (rule.comment !== undefined) full.comment = rule.comment;
      if (chainRange) full.chainRange = chainRange;
      ruleBodyStart.set(full, bodyStart ?? this.position(first.line, first.start));
      rules.push(full);
    }
    if (insert) chain.rules.unshift(...rules);
    else chain.rules.push(...rules);
  }

  // ---- shared with RuleReader ------------------------------------------------------------------------------

  /** Addresses read before without a problem, per family: equal networks share one set (analysis caches by identity). */
  readonly addressSets: Record<Family, Map<string, AddressSet>> = { ipv4: new Map(), ipv6: new Map() };

  problem(code: Code, range: Range, message: string, data?: Finding['data']): void {
    this.report(code, range, message, data);
  }
  lookupVar(t: Tok): Tok[] | undefined {
    return this.variable(t);
  }
  get hasIncludes(): boolean {
    return this.includes > 0;
  }
  resolveService(name: string, protocol?: string): number | undefined {
    return this.ctx.resolveService(name, protocol);
  }
  splitInner(inner: Tok[]): Tok[][] {
    return this.splitElements(inner);
  }
  addJump(ts: TableState, name: string, range: Range): void {
    this.jumps.push({ ts, name, range });
  }

  private checkJumps(): void {
    if (this.includes) return; // the target may be declared in an included file
    for (const j of this.jumps) {
      const c = j.ts.chains.get(j.name);
      if (c?.declared) continue;
      this.report('PC005', j.range, `chain \`${j.name}\` is not declared in table ${j.ts.table.name}: nft fails to load this ruleset`);
    }
  }
}

/** Reads the statements of one rule. */
class RuleReader {
  private k = 0;
  private readonly conditions: Condition[] = [];
  private action: Action = { kind: 'none' };
  private comment: string | undefined;
  private statement: { name: string; range: Range } | undefined;
  private family: Family | undefined;
  private familyTok: Tok | undefined;
  /** Protocol constraints: each entry is a set of allowed protocols (their intersection applies). */
  private readonly protoSets: { protos: string[]; negated: boolean }[] = [];
  private readonly portConds: Condition[] = [];
  private verdictSeen: Tok | undefined;
  private tcpReset: Tok | undefined;

  constructor(
    private readonly p: NftParser,
    private readonly ts: TableState,
    private readonly chain: Chain,
    private readonly toks: Tok[],
  ) {}

  /** False when a syntax error ended the rule early: nft would reject it, so it is left out of the model. */
  ok = true;

  read(): { conditions: Condition[]; action: Action; comment?: string; family: Family | 'both'; ok: boolean } {
    while (this.k < this.toks.length) {
      const before = this.k;
      const ok = this.stmt();
      if (!ok) {
        this.ok = false;
        break; // error reported: skip the rest of the rule
      }
      if (this.k === before) this.k++;
    }
    this.finish();
    const tableFamily = this.ts.table.family;
    const family: Family | 'both' = tableFamily !== 'both' ? tableFamily : (this.family ?? 'both');
    if (this.statement?.name === 'notrack' && this.action.kind === 'none') this.action = { kind: 'notrack', range: this.statement.range };
    if (this.statement && this.action.kind === 'none')
      this.action = { kind: 'continue', target: this.statement.name, range: this.statement.range };
    return { conditions: this.conditions, action: this.action, comment: this.comment, family, ok: this.ok };
  }

  private peek(o = 0): Tok | undefined {
    return this.toks[this.k + o];
  }
  private next(): Tok | undefined {
    return this.toks[this.k++];
  }
  private w(t: Tok | undefined, text?: string): boolean {
    return !!t && t.kind === 'word' && (text === undefined || t.text === text);
  }
  private punct(t: Tok | undefined, p: string): boolean {
    return !!t && t.kind === 'punct' && t.text === p;
  }
  private lastTok(): Tok {
    return this.toks[Math.max(0, this.k - 1)];
  }

  private setFamily(f: Family, t: Tok): void {
    if (this.family && this.family !== f) {
      this.p.problem(
        'PC001',
        this.p.r(t),
        `this rule mixes IPv4 and IPv6 matches (\`${this.familyTok?.text}\` and \`${t.text}\`): it can never match`,
      );
    }
    this.family = f;
    this.familyTok ??= t;
  }

  /** Parses one statement; false after an error that ends the rule. */
  private stmt(): boolean {
    const t = this.next()!;
    if (t.kind !== 'word') {
      if (t.kind === 'string') {
        this.p.problem('PC001', this.p.r(t), `unexpected string "${t.text}": expected a match or a statement`);
        return false;
      }
      this.p.problem('PC001', this.p.r(t), `unexpected \`${t.text}\`: expected a match or a statement`);
      return false;
    }
    switch (t.text) {
      case 'ip':
      case 'ip6':
        return this.ipMatch(t);
      case 'tcp':
      case 'udp':
      case 'th':
      case 'sctp':
      case 'dccp':
      case 'udplite':
        return this.transport(t);
      case 'meta':
        return this.meta(t, this.next());
      case 'iif':
      case 'oif':
      case 'iifname':
      case 'oifname':
      case 'l4proto':
      case 'nfproto':
        this.k--;
        return this.meta(t, this.next());
      case 'ct':
        return this.ct(t);
      case 'icmp':
      case 'icmpv6':
      case 'igmp':
      case 'esp':
      case 'ah':
      case 'comp':
      case 'gre': {
        const proto = t.text;
        this.protoSets.push({ protos: [proto], negated: false });
        if (proto === 'icmp' || proto === 'igmp') this.setFamily('ipv4', t);
        if (proto === 'icmpv6') this.setFamily('ipv6', t);
        this.conditions.push({ kind: 'protocol', protocols: [proto], negated: false, range: this.p.r(t) });
        this.k--;
        return this.opaqueExpr();
      }
      case 'counter':
        while (this.w(this.peek()) && /^(packets|bytes|name)$/.test(this.peek()!.text)) {
          this.k++;
          if (this.peek()) this.k++;
        }
        this.noteStatement('counter', t);
        return true;
      case 'log':
        while (this.w(this.peek()) && /^(prefix|level|group|snaplen|queue-threshold|flags)$/.test(this.peek()!.text)) {
          const opt = this.next()!;
          if (opt.text === 'flags' && (this.w(this.peek(), 'tcp') || this.w(this.peek(), 'ip'))) this.k++;
          this.value(opt);
        }
        this.noteStatement('log', t);
        return true;
      case 'comment': {
        const c = this.next();
        if (!c || (c.kind !== 'string' && c.kind !== 'word')) {
          this.p.problem('PC001', this.p.r(t), '`comment` needs a quoted text');
          return false;
        }
        this.comment = c.text;
        return true;
      }
      case 'limit':
      case 'quota':
      case 'last':
      case 'meter':
      case 'synproxy':
        this.k--;
        return this.opaqueExpr(t.text === 'meter' ? (text) => this.meter(t, text) : undefined);
      case 'notrack':
      case 'xt':
        this.noteStatement(t.text, t);
        if (t.text === 'xt') this.restUntilStatement();
        return true;
      case 'add':
      case 'update':
      case 'delete':
        if (this.peek()?.text.startsWith('@')) {
          this.k++;
          if (this.punct(this.peek(), '{')) this.group();
          this.noteStatement(`${t.text} @set`, t);
          return true;
        }
        break;
      case 'set':
        // Legacy `set add ip saddr @x` / `set update …`.
        this.restUntilStatement();
        this.noteStatement('set', t);
        return true;
      case 'flow':
      case 'dup':
      case 'fwd':
        this.restUntilStatement();
        this.noteStatement(t.text, t);
        return true;
      case 'mark':
      case 'priority':
        if (this.w(this.peek(), 'set')) {
          this.k++;
          this.setExpr();
          this.noteStatement(`${t.text} set`, t);
          return true;
        }
        this.k--;
        return this.opaqueExpr();
      case 'accept':
      case 'drop':
        return this.verdict(t, { kind: t.text, range: this.p.r(t) });
      case 'return':
        return this.verdict(t, { kind: 'return', range: this.p.r(t) });
      case 'continue':
        return this.verdict(t, { kind: 'continue', target: 'continue', range: this.p.r(t) });
      case 'reject': {
        let end = t;
        if (this.w(this.peek(), 'with')) {
          end = this.next()!;
          const kind = this.next();
          if (!kind) {
            this.p.problem('PC001', this.p.r(end), '`reject with` needs `icmp`, `icmpv6`, `icmpx` or `tcp reset`');
            return false;
          }
          end = kind;
          if (kind.text === 'tcp') {
            const rs = this.next();
            if (!rs || rs.text !== 'reset') {
              this.p.problem('PC001', this.p.r(rs ?? kind), '`reject with tcp` must be followed by `reset`');
              return false;
            }
            end = rs;
            this.tcpReset = rs;
          } else if (/^(icmp|icmpv6|icmpx)$/.test(kind.text)) {
            if (this.w(this.peek(), 'type') || this.w(this.peek(), 'code')) this.k++;
            const v = this.next();
            if (!v) {
              this.p.problem('PC001', this.p.r(kind), `\`reject with ${kind.text}\` needs a type such as port-unreachable`);
              return false;
            }
            end = v;
          } else {
            this.p.problem('PC001', this.p.r(kind), `unknown reject type \`${kind.text}\`: expected icmp, icmpv6, icmpx or tcp reset`);
            return false;
          }
        }
        return this.verdict(t, { kind: 'reject', range: this.p.span(t, end) }, t);
      }
      case 'jump':
      case 'goto': {
        const target = this.next();
        if (!target || (target.kind !== 'word' && target.kind !== 'string')) {
          this.p.problem('PC001', this.p.r(t), `\`${t.text}\` needs a chain name`);
          return false;
        }
        if (target.kind === 'string') {
          this.p.problem('PC001', this.p.r(target), `nft 1.0.6 does not accept a quoted chain name after \`${t.text}\`: use a plain identifier`);
        } else if (NFT_KEYWORDS.has(target.text)) {
          this.p.problem(
            'PC001',
            this.p.r(target),
            `\`${target.text}\` is an nft keyword and cannot name a chain: nft rejects \`${t.text} ${target.text}\`; rename the chain`,
          );
        } else if (!IDENTIFIER.test(target.text) && !target.text.startsWith('$')) {
          this.p.problem('PC001', this.p.r(target), `invalid chain name \`${target.text}\``);
        }
        this.p.addJump(this.ts, target.text, this.p.r(target));
        return this.verdict(t, { kind: t.text, chain: target.text, range: this.p.r(target) });
      }
      case 'queue':
        this.restUntilStatement();
        return this.verdict(t, { kind: 'other', target: 'queue', range: this.p.r(t) });
      case 'snat':
      case 'dnat':
      case 'masquerade':
      case 'redirect':
      case 'tproxy': {
        const from = this.k;
        this.restUntilStatement();
        const nat = t.text === 'dnat' || t.text === 'redirect' ? destinationNat(t, this.toks.slice(from, this.k), this.p.r(t)) : undefined;
        return this.verdict(t, nat ?? { kind: 'other', target: t.text, range: this.p.r(t) });
      }
      case 'vmap':
        this.value(t);
        return this.verdict(t, { kind: 'other', target: 'vmap', range: this.p.r(t) });
      default:
        break;
    }
    if (t.text.startsWith('$') || t.text.startsWith('@')) {
      this.p.problem('PC001', this.p.r(t), `unexpected \`${t.text}\`: a variable or set needs a match before it (e.g. \`ip saddr ${t.text}\`)`);
      return false;
    }
    if (STATEMENT_START.has(t.text) || NFT_KEYWORDS.has(t.text)) {
      this.k--;
      return this.opaqueExpr();
    }
    this.p.problem('PC001', this.p.r(t), `unknown statement \`${t.text}\`: nft does not know this keyword`);
    return false;
  }

  private noteStatement(name: string, t: Tok): void {
    this.statement ??= { name, range: this.p.r(t) };
  }

  private verdict(t: Tok, action: Action, _kw?: Tok): boolean {
    if (this.verdictSeen) {
      this.p.problem('PC001', this.p.r(t), `a rule has one verdict: \`${t.text}\` follows \`${this.verdictSeen.text}\``);
      return false;
    }
    this.verdictSeen = t;
    this.action = action;
    return true;
  }

  private meter(t: Tok, text: string): void {
    const name = this.toks[this.toks.indexOf(t) + 1];
    if (!name) return;
    const prev = this.ts.meters.get(name.text);
    const bodyText = text.replace(/^meter\s+\S+\s*/, '');
    if (prev !== undefined && prev !== bodyText) {
      this.p.problem(
        'PC001',
        this.p.r(name),
        `meter \`${name.text}\` is already defined with another expression or rate in this table: nft fails with "Operation not supported"; give this meter its own name`,
      );
    }
    if (prev === undefined) this.ts.meters.set(name.text, bodyText);
  }

  /** Consumes tokens up to the next statement keyword (for NAT targets, queue, dup …). */
  private restUntilStatement(): void {
    while (
      this.peek() &&
      !(this.w(this.peek()) && (VERDICTS.has(this.peek()!.text) || /^(counter|log|comment)$/.test(this.peek()!.text)))
    ) {
      if (this.punct(this.peek(), '{') || this.punct(this.peek(), '(')) this.group();
      else this.k++;
    }
  }

  /** The expression after `set`: first token free, then until a statement keyword. */
  private setExpr(): void {
    const first = this.peek();
    if (!first) return;
    if (this.punct(first, '{') || this.punct(first, '(')) this.group();
    else this.k++;
    while (this.peek()) {
      const t = this.peek()!;
      const prev = this.lastTok();
      if (
        this.w(t) &&
        STATEMENT_START.has(t.text) &&
        t.text !== 'mark' &&
        !/^(\.|jhash|symhash|numgen|map|set|ip|ip6|tcp|udp|th|meta|ct|ether|rt|fib)$/.test(prev.text)
      )
        break;
      if (this.punct(t, '{') || this.punct(t, '(')) this.group();
      else this.k++;
    }
  }

  /** Consumes a `{…}` or `(…)` group starting at the current token; returns the inner tokens. */
  private group(): Tok[] {
    const open = this.next()!;
    const close = open.text === '{' ? '}' : ')';
    const inner: Tok[] = [];
    let depth = 1;
    while (this.peek()) {
      const t = this.next()!;
      if (this.punct(t, open.text)) depth++;
      else if (this.punct(t, close) && --depth === 0) return inner;
      inner.push(t);
    }
    return inner;
  }

  /**
   * An expression the model does not interpret: keyword, field words, optional operator and a value. Consumed
   * into one opaque condition (or, with `set`, a non-terminating statement).
   */
  private opaqueExpr(onText?: (text: string) => void): boolean {
    const start = this.k;
    const first = this.next()!;
    let prev = first;
    if (first.text === 'fib') {
      // fib <flag> [. <flag> …] <result> [op] value
      if (this.peek()) this.k++;
      while (this.w(this.peek(), '.') && this.peek(1)) this.k += 2;
      if (this.w(this.peek())) prev = this.next()!;
    }
    for (;;) {
      const t = this.peek();
      if (!t) break;
      if (this.w(t, 'set') && first.text !== 'meter') {
        this.k++;
        this.setExpr();
        this.noteStatement(`${first.text} set`, first);
        return true;
      }
      if (this.w(t) && RELOPS[t.text]) {
        this.k++;
        this.value(t);
        break;
      }
      if (this.punct(t, '{') || this.punct(t, '(')) {
        if (first.text === 'meter' && this.punct(t, '{')) {
          this.group();
          break;
        }
        this.value(prev);
        break;
      }
      if (this.w(t, 'vmap') || this.w(t, 'map')) break;
      if (t.kind === 'word' && STATEMENT_START.has(t.text) && (prev.text === '.' || /^(status|direction|state)$/.test(prev.text))) {
        this.k++;
        prev = t;
        continue;
      }
      if (t.kind === 'word' && STATEMENT_START.has(t.text)) {
        // `ether type ip`, `meta protocol ip6`, `ct l3proto ip`: a family keyword as the value.
        if (
          /^(type|protocol|nexthdr|l3proto|l4proto|proto)$/.test(prev.text) &&
          /^(ip|ip6|arp|vlan|tcp|udp|icmp|icmpv6|sctp|dccp|udplite|esp|ah|comp|gre|igmp)$/.test(t.text)
        ) {
          this.k++;
        }
        break;
      }
      if (t.kind === 'string' && prev !== first && !this.w(prev, 'name') && !this.w(prev, 'prefix')) {
        this.k++;
        break;
      }
      this.k++;
      prev = t;
    }
    const toks = this.toks.slice(start, this.k);
    const text = toks.map((x) => (x.kind === 'string' ? `"${x.text}"` : x.text)).join(' ');
    onText?.(text);
    if (this.w(this.peek(), 'vmap')) {
      const v = this.next()!;
      this.value(v);
      return this.verdict(v, { kind: 'other', target: 'vmap', range: this.p.r(v) });
    }
    this.conditions.push({ kind: 'opaque', text, range: this.p.span(toks[0], toks[toks.length - 1]) });
    return true;
  }

  /** Optional relational operator; returns whether it negates. */
  private relop(): { op: string; tok?: Tok } {
    const t = this.peek();
    if (this.w(t) && RELOPS[t!.text]) {
      this.k++;
      return { op: RELOPS[t!.text], tok: t };
    }
    return { op: 'eq' };
  }

  /**
   * A value: a word (with `,` lists and binary operators), a string, `{ … }`, `( … )`, `@set` or `$var`. Returns
   * its elements for the matches the model understands.
   */
  private value(after: Tok): Value | undefined {
    const t = this.peek();
    if (!t || (t.kind === 'punct' && t.text !== '{' && t.text !== '(')) {
      this.p.problem('PC001', this.p.r(after), `\`${after.text}\` needs a value`);
      return undefined;
    }
    const startTok = t;
    if (this.w(t, 'vmap')) {
      this.k++;
      this.value(t);
      this.verdict(t, { kind: 'other', target: 'vmap', range: this.p.r(t) });
      return { kind: 'other', elems: [], range: this.p.r(t) };
    }
    let v: Value;
    if (this.punct(t, '{')) {
      const inner = this.group();
      const elems = this.p.splitInner(inner).flatMap((g) => this.expandElem(g));
      v = { kind: 'set', elems, range: this.p.span(startTok, this.lastTok()) };
    } else if (this.punct(t, '(')) {
      this.group();
      v = { kind: 'other', elems: [], range: this.p.span(startTok, this.lastTok()) };
    } else if (t.text.startsWith('@')) {
      this.k++;
      const name = t.text.slice(1);
      const set = this.ts.sets.get(name);
      if (!set) {
        if (!this.p.hasIncludes)
          this.p.problem(
            'PC001',
            this.p.r(t),
            `undefined set \`@${name}\` in table ${this.ts.table.name}: declare it with \`set ${name} { type …; }\``,
          );
        v = { kind: 'named', elems: [], range: this.p.r(t), setName: name, dynamic: true };
      } else {
        const elems = set.elements.flatMap((g) => this.expandElem(g));
        v = { kind: 'named', elems, range: this.p.r(t), setName: name, dynamic: set.dynamic || set.isMap || !set.elements.length };
      }
    } else {
      // word list: a , b , c
      const elems: Elem[] = [];
      for (;;) {
        const x = this.next()!;
        elems.push(...this.expandElem([x]));
        if (this.punct(this.peek(), ',') && this.peek(1) && this.peek(1)!.kind !== 'punct') {
          this.k++;
          continue;
        }
        break;
      }
      v = { kind: 'list', elems, range: this.p.span(startTok, this.lastTok()) };
    }
    // Binary operators: `ip saddr and 255.0.0.0`, `tcp flags syn / fin,syn,rst,ack`, concatenations.
    while (this.w(this.peek()) && BINOPS.has(this.peek()!.text) && this.peek(1)) {
      this.k++;
      this.value(this.lastTok());
      v = { kind: 'other', elems: [], range: this.p.span(startTok, this.lastTok()) };
    }
    return v;
  }

  /** One element (token group) with variables expanded; a variable's elements carry the `$var` token's range. */
  private expandElem(g: Tok[], depth = 0): Elem[] {
    if (g.length === 1 && g[0].kind === 'word' && g[0].text.startsWith('$')) {
      const vals = this.p.lookupVar(g[0]);
      if (!vals || depth > 16) return [];
      let inner = vals;
      if (this.punct(vals[0], '{') && this.punct(vals[vals.length - 1], '}')) inner = vals.slice(1, -1);
      return this.p
        .splitInner(inner)
        .flatMap((sub) => this.expandElem(sub, depth + 1))
        .map((e) => ({ ...e, range: this.p.r(g[0]) }));
    }
    for (const t of g) if (t.kind === 'word' && t.text.startsWith('$')) this.p.lookupVar(t);
    const text = g.map((t) => t.text).join(g.length > 1 && g.some((t) => t.kind === 'punct') ? '' : ' ');
    return [{ text, range: this.p.span(g[0], g[g.length - 1]), toks: g }];
  }

  // ---- matches the model understands ------------------------------------------------------------------------

  private ipMatch(t: Tok): boolean {
    const fam: Family = t.text === 'ip' ? 'ipv4' : 'ipv6';
    const field = this.peek();
    if (!this.w(field)) {
      this.p.problem('PC001', this.p.r(t), `\`${t.text}\` needs a field such as saddr, daddr or ${t.text === 'ip' ? 'protocol' : 'nexthdr'}`);
      return false;
    }
    this.setFamily(fam, t);
    if (this.w(this.peek(1), '.')) {
      this.restrictFamily(fam, t);
      this.k--;
      return this.opaqueExpr();
    }
    if (field!.text === 'saddr' || field!.text === 'daddr') {
      this.k++;
      const { op, tok } = this.relop();
      const v = this.value(tok ?? field!);
      if (!v) return false;
      const range = this.p.span(t, this.lastTok());
      const kind = field!.text === 'saddr' ? 'source' : 'destination';
      if (v.kind === 'other' || v.dynamic || (op !== 'eq' && op !== 'ne')) {
        this.conditions.push({ kind: 'opaque', text: this.textOf(t), range });
        if (kind === 'destination' || v.dynamic) this.restrictFamily(fam, t);
        return true;
      }
      let set = AddressSet.NONE;
      const unresolved: string[] = [];
      for (const e of v.elems) {
        const parsed = this.address(e, fam);
        if (parsed === 'host') unresolved.push(e.text);
        else if (parsed) set = set === AddressSet.NONE ? parsed : set.union(parsed);
      }
      this.conditions.push({ kind, set, negated: op === 'ne', range, ...(unresolved.length ? { unresolved } : {}) });
      if (kind === 'destination' || op === 'ne') this.restrictFamily(fam, t);
      return true;
    }
    if ((fam === 'ipv4' && field!.text === 'protocol') || (fam === 'ipv6' && field!.text === 'nexthdr')) {
      this.k++;
      this.restrictFamily(fam, t);
      return this.protocolMatch(t);
    }
    this.restrictFamily(fam, t);
    this.k--;
    return this.opaqueExpr();
  }

  private restrictFamily(fam: Family, t: Tok): void {
    if (this.ts.table.family !== 'both') return;
    if (
      this.conditions.some(
        (c) => c.kind === 'source' && !c.negated && (fam === 'ipv4' ? c.set.v6.isEmpty() : c.set.v4.isEmpty()) && !c.set.isEmpty(),
      )
    )
      return;
    this.conditions.push({ kind: 'source', set: AddressSet.any(fam), negated: false, range: this.p.r(t) });
  }

  private textOf(from: Tok): string {
    const a = this.toks.indexOf(from);
    return this.toks
      .slice(a, this.k)
      .map((x) => (x.kind === 'string' ? `"${x.text}"` : x.text))
      .join(' ');
  }

  private address(e: Elem, fam: Family): AddressSet | 'host' | undefined {
    const text = e.toks.length === 1 ? e.toks[0].text : e.text.replace(/\s+/g, '');
    const seen = this.p.addressSets[fam];
    const known = seen.get(text);
    if (known) return known;
    let set = AddressSet.parse(text);
    if (set) {
      const dash = text.indexOf('-');
      if (dash > 0 && !text.includes('/')) {
        const lo = AddressSet.parse(text.slice(0, dash));
        const hi = AddressSet.parse(text.slice(dash + 1));
        if (lo && hi && compareAddr(lo, hi) > 0) {
          this.p.problem('PC007', e.range, `address range \`${text}\` has zero or negative size: nft rejects it`);
          return undefined;
        }
      }
      if (fam === 'ipv4' && !set.v6.isEmpty()) {
        this.p.problem('PC007', e.range, `IPv6 address \`${text}\` in an \`ip\` (IPv4) match: use \`ip6 saddr\`/\`ip6 daddr\``);
        return undefined;
      }
      if (fam === 'ipv6' && !set.v4.isEmpty()) {
        this.p.problem('PC007', e.range, `IPv4 address \`${text}\` in an \`ip6\` match: use \`ip saddr\`/\`ip daddr\``);
        return undefined;
      }
      seen.set(text, set);
      return set;
    }
    if (/^[A-Za-z][A-Za-z0-9.-]*$/.test(text) && text !== '') return 'host';
    set = undefined;
    this.p.problem('PC007', e.range, `malformed address \`${text}\`: expected an address, a network such as 192.0.2.0/24 or a range a-b`);
    return set;
  }

  private protocolMatch(kw: Tok): boolean {
    const { op, tok } = this.relop();
    const v = this.value(tok ?? this.lastTok());
    if (!v) return false;
    const range = this.p.span(kw, this.lastTok());
    if (v.kind === 'other' || v.dynamic || (op !== 'eq' && op !== 'ne')) {
      this.conditions.push({ kind: 'opaque', text: this.textOf(kw), range });
      return true;
    }
    const protos = v.elems.map((e) => PROTOCOL_NAMES[e.text.toLowerCase()] ?? e.text.toLowerCase());
    this.conditions.push({ kind: 'protocol', protocols: protos, negated: op === 'ne', range });
    this.protoSets.push({ protos, negated: op === 'ne' });
    return true;
  }

  private transport(t: Tok): boolean {
    const proto = t.text;
    const field = this.peek();
    if (!this.w(field)) {
      this.p.problem(
        'PC001',
        this.p.r(t),
        `\`${proto}\` needs a field such as dport or sport (for a protocol test write \`meta l4proto ${proto}\`)`,
      );
      return false;
    }
    if (proto !== 'th') {
      this.protoSets.push({ protos: [proto], negated: false });
      this.conditions.push({ kind: 'protocol', protocols: [proto], negated: false, range: this.p.r(t) });
    }
    if (this.w(this.peek(1), '.')) {
      this.k--;
      return this.opaqueExpr();
    }
    if (field!.text === 'dport' || field!.text === 'sport') {
      this.k++;
      const { op, tok } = this.relop();
      const v = this.value(tok ?? field!);
      if (!v) return false;
      const range = this.p.span(t, this.lastTok());
      const kind = field!.text === 'dport' ? 'dport' : 'sport';
      if (v.kind === 'other' || v.dynamic) {
        this.conditions.push({ kind: 'opaque', text: this.textOf(t), range });
        return true;
      }
      // flatMap's array keeps spare room; the condition keeps an exact copy.
      const items = v.elems.flatMap((e) => this.portItem(e, proto === 'th' ? undefined : proto)).slice();
      let set = PortSet.fromRanges(items.filter((i) => i.lo <= i.hi).map((i) => [i.lo, i.hi] as const));
      let negated = op === 'ne';
      if (op === 'lt' || op === 'le' || op === 'gt' || op === 'ge') {
        const n = items[0]?.lo ?? 0;
        set =
          op === 'lt'
            ? n > 0
              ? PortSet.range(0, n - 1)
              : PortSet.NONE
            : op === 'le'
              ? PortSet.range(0, n)
              : op === 'gt'
                ? PortSet.range(n + 1, 65535)
                : PortSet.range(n, 65535);
        negated = false;
      }
      const cond: Condition = { kind, set, negated, range, items };
      this.conditions.push(cond);
      this.portConds.push(cond);
      return true;
    }
    if (field!.text === 'flags' && proto === 'tcp') {
      this.k++;
      const from = this.k;
      // The flags expression: operators, flag names, parentheses and braces up to the next statement.
      let depth = 0;
      while (this.peek()) {
        const x = this.peek()!;
        if (this.punct(x, '(') || this.punct(x, '{')) depth++;
        else if (this.punct(x, ')') || this.punct(x, '}')) depth--;
        else if (depth === 0 && x.kind === 'word' && (STATEMENT_START.has(x.text) || x.text.startsWith('@'))) break;
        else if (depth === 0 && x.kind !== 'word' && !this.punct(x, ',')) break;
        this.k++;
      }
      if (this.k === from) {
        this.p.problem('PC001', this.p.r(field!), '`tcp flags` needs a value');
        return false;
      }
      const range = this.p.span(t, this.lastTok());
      const text = this.toks
        .slice(from, this.k)
        .map((x) => x.text)
        .join(' ');
      const syn = openingMatches(text);
      if (syn === undefined) this.conditions.push({ kind: 'opaque', text: `tcp flags ${text}`, range });
      else this.conditions.push({ kind: 'tcpFlags', syn, negated: false, range });
      return true;
    }
    this.k--;
    // Other header fields (`tcp option …`, `udp length …`): opaque, keeping the protocol constraint.
    return this.opaqueExpr();
  }

  private portItem(e: Elem, protocol: string | undefined): PortItem[] {
    if (e.toks.length !== 1) {
      this.p.problem('PC001', e.range, `unexpected \`${e.text}\` in a port list`);
      return [];
    }
    const tok = e.toks[0];
    const text = tok.text;
    const range = e.range;
    const dash = tok.kind === 'word' ? text.indexOf('-', 1) : -1;
    const ends = dash > 0 && /^\d/.test(text) ? [text.slice(0, dash), text.slice(dash + 1)] : [text];
    const values: number[] = [];
    for (const end of ends) {
      let v: number | undefined;
      if (/^\d+$/.test(end)) v = Number(end);
      else if (/^0x[0-9a-f]+$/i.test(end)) v = parseInt(end, 16);
      else if (/^[A-Za-z][\w.+-]*$/.test(end)) {
        v = this.p.resolveService(end, protocol === 'tcp' || protocol === 'udp' ? protocol : undefined) ?? this.p.resolveService(end);
        if (v === undefined) {
          this.p.problem(
            'PC011',
            range,
            `unknown service name \`${end}\`: nft cannot resolve it (use a port number or a name from /etc/services)`,
          );
          return [];
        }
      } else {
        this.p.problem('PC001', range, `invalid port \`${end}\``);
        return [];
      }
      if (v > 65535) {
        this.p.problem('PC002', range, `port \`${end}\` is out of range: ports are 0–65535 (nft: "Service out of range")`);
        return [];
      }
      values.push(v);
    }
    const [lo, hi] = values.length === 1 ? [values[0], values[0]] : [values[0], values[1]];
    if (lo > hi) {
      this.p.problem(
        'PC003',
        range,
        `port range \`${text}\` is reversed (${lo} > ${hi}): nft rejects it ("Range has zero or negative size") — did you mean ${hi}-${lo}?`,
      );
    }
    const service = /^\d/.test(ends[0]) ? undefined : ends[0];
    return [{ text, range, lo, hi, ...(service ? { service } : {}) }];
  }

  private meta(kwTok: Tok, keyTok: Tok | undefined): boolean {
    if (!keyTok || keyTok.kind !== 'word') {
      this.p.problem('PC001', this.p.r(kwTok), '`meta` needs a key such as l4proto, iifname or mark');
      return false;
    }
    const key = keyTok.text;
    if (this.w(this.peek(), 'set')) {
      this.k++;
      this.setExpr();
      this.noteStatement(`meta ${key} set`, kwTok);
      return true;
    }
    switch (key) {
      case 'l4proto':
        return this.protocolMatch(kwTok);
      case 'nfproto': {
        const { op, tok } = this.relop();
        const v = this.value(tok ?? keyTok);
        if (!v) return false;
        const range = this.p.span(kwTok, this.lastTok());
        const fams = v.elems.map((e) => e.text);
        if (op === 'eq' && fams.length === 1 && (fams[0] === 'ipv4' || fams[0] === 'ipv6')) {
          this.setFamily(fams[0], kwTok);
          if (this.ts.table.family === 'both')
            this.conditions.push({ kind: 'source', set: AddressSet.any(fams[0]), negated: false, range });
        } else this.conditions.push({ kind: 'opaque', text: this.textOf(kwTok), range });
        return true;
      }
      case 'iif':
      case 'oif':
      case 'iifname':
      case 'oifname': {
        const { op, tok } = this.relop();
        const v = this.value(tok ?? keyTok);
        if (!v) return false;
        const range = this.p.span(kwTok, this.lastTok());
        const names = v.elems.map((e) => e.text.replace(/\*$/, '+'));
        if (v.kind !== 'other' && !v.dynamic && names.length === 1 && (op === 'eq' || op === 'ne')) {
          this.conditions.push({ kind: key.startsWith('i') ? 'inInterface' : 'outInterface', name: names[0], negated: op === 'ne', range });
        } else this.conditions.push({ kind: 'opaque', text: this.textOf(kwTok), range });
        return true;
      }
      default: {
        // Other meta keys: mark, pkttype, skuid, length, protocol … (`meta protocol ip6` etc.)
        const from = this.toks.indexOf(kwTok);
        this.k = from;
        return this.opaqueExpr();
      }
    }
  }

  private ct(kw: Tok): boolean {
    const key = this.peek();
    if (!this.w(key)) {
      this.p.problem('PC001', this.p.r(kw), '`ct` needs a key such as state, status or mark');
      return false;
    }
    if (key!.text === 'state') {
      this.k++;
      const { op, tok } = this.relop();
      const v = this.value(tok ?? key!);
      if (!v) return false;
      const range = this.p.span(kw, this.lastTok());
      if (v.kind === 'other' || v.dynamic) {
        this.conditions.push({ kind: 'opaque', text: this.textOf(kw), range });
        return true;
      }
      const states: ConnState[] = [];
      for (const e of v.elems) {
        if (CT_STATES.has(e.text)) states.push(e.text as ConnState);
        else
          this.p.problem(
            'PC001',
            e.range,
            `unknown conntrack state \`${e.text}\`: expected new, established, related, invalid or untracked`,
          );
      }
      this.conditions.push({ kind: 'state', states: states.slice(), negated: op === 'ne', range });
      return true;
    }
    if (this.w(this.peek(1), 'set')) {
      this.k += 2;
      this.setExpr();
      this.noteStatement(`ct ${key!.text} set`, kw);
      return true;
    }
    if (key!.text === 'status' && !this.w(this.peek(1), '&')) {
      // `ct status dnat`: the connection was opened to an address or port that destination NAT rewrote.
      this.k++;
      const { op, tok } = this.relop();
      const v = this.value(tok ?? key!);
      if (!v) return false;
      const range = this.p.span(kw, this.lastTok());
      if (v.kind !== 'other' && !v.dynamic && v.elems.length === 1 && v.elems[0].text === 'dnat' && (op === 'eq' || op === 'ne')) {
        this.conditions.push({ kind: 'state', states: ['dnat'], negated: op === 'ne', range });
      } else this.conditions.push({ kind: 'opaque', text: this.textOf(kw), range });
      return true;
    }
    const tuple = this.ctTuple(kw);
    if (tuple !== undefined) return tuple;
    this.k--;
    return this.opaqueExpr();
  }

  /** `ct [original|reply] {protocol|saddr|daddr|ip saddr|proto-src|proto-dst} VALUE`; undefined when not one. */
  private ctTuple(kw: Tok): boolean | undefined {
    const start = this.k;
    let direction: 'original' | 'reply' = 'original';
    if (this.w(this.peek(), 'original') || this.w(this.peek(), 'reply')) direction = this.next()!.text as 'original' | 'reply';
    let fam: Family | undefined;
    if (this.w(this.peek(), 'ip') || this.w(this.peek(), 'ip6')) fam = this.next()!.text === 'ip' ? 'ipv4' : 'ipv6';
    const f = this.peek();
    const field = { protocol: 'protocol', saddr: 'source', daddr: 'destination', 'proto-src': 'sport', 'proto-dst': 'dport' }[
      f?.text ?? ''
    ] as 'protocol' | 'source' | 'destination' | 'sport' | 'dport' | undefined;
    if (!field || (field === 'protocol' && fam) || (this.k === start && field !== 'protocol')) {
      this.k = start;
      return undefined;
    }
    this.k++;
    const { op, tok } = this.relop();
    const v = this.value(tok ?? f!);
    if (!v) return false;
    const range = this.p.span(kw, this.lastTok());
    if (v.kind === 'other' || v.dynamic || (op !== 'eq' && op !== 'ne')) {
      this.conditions.push({ kind: 'opaque', text: this.textOf(kw), range });
      return true;
    }
    const negated = op === 'ne';
    if (field === 'protocol') {
      const protocols = v.elems.map((e) => PROTOCOL_NAMES[e.text.toLowerCase()] ?? e.text.toLowerCase());
      this.conditions.push({ kind: 'ctTuple', direction, field, protocols, negated, range });
    } else if (field === 'sport' || field === 'dport') {
      const items = v.elems.flatMap((e) => this.portItem(e, undefined)).slice();
      const set = PortSet.fromRanges(items.filter((i) => i.lo <= i.hi).map((i) => [i.lo, i.hi] as const));
      this.conditions.push({ kind: 'ctTuple', direction, field, set, negated, range, items });
    } else {
      let set = AddressSet.NONE;
      for (const e of v.elems) {
        const a = this.address(e, fam ?? (e.text.includes(':') ? 'ipv6' : 'ipv4'));
        if (a === 'host' || a === undefined) {
          this.conditions.push({ kind: 'opaque', text: this.textOf(kw), range });
          return true;
        }
        set = set.union(a);
      }
      if (fam) this.setFamily(fam, kw);
      this.conditions.push({ kind: 'ctTuple', direction, field, set, negated, range });
    }
    return true;
  }

  /** Port matches need the rule to be about a protocol that has ports. */
  private finish(): void {
    let allowed: Set<string> | undefined;
    for (const s of this.protoSets) {
      if (s.negated) continue;
      const cur = new Set(s.protos);
      allowed = allowed ? new Set([...allowed].filter((x) => cur.has(x))) : cur;
    }
    // nft: "you cannot use tcp reset with this protocol" unless the rule is about TCP only (or no protocol at all).
    if (this.tcpReset && allowed && !(allowed.size === 1 && allowed.has('tcp'))) {
      this.p.problem(
        'PC001',
        this.p.r(this.tcpReset),
        `\`reject with tcp reset\` in a rule for ${[...allowed].join(', ') || 'no protocol'}: nft rejects it (a TCP reset needs a TCP-only rule); use \`reject\` or \`reject with icmpx type admin-prohibited\``,
      );
    }
    if (!this.portConds.length) return;
    const ok = !allowed || [...allowed].some((x) => PORT_PROTOCOLS.has(x));
    if (ok) return;
    const protos = this.protoSets
      .filter((s) => !s.negated)
      .map((s) => s.protos.join(','))
      .join(' and ');
    for (const pc of this.portConds) {
      this.p.problem(
        'PC004',
        pc.range,
        `port match in a rule limited to ${protos}: ports exist only in TCP, UDP, SCTP and DCCP headers, so this rule can never match`,
        { fix: 'add-protocol' },
      );
    }
  }
}

const TCP_FLAGS = ['fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ecn', 'cwr'];

/**
 * Whether a `tcp flags …` test matches a connection-opening SYN (flags exactly syn), or undefined when the
 * expression is not one the model reads. Forms: `syn`, `== syn`, `!= syn`, `{ syn, ack }`, `syn / fin,syn,rst,ack`,
 * `& (syn | ack) == syn`, `& syn == 0`, `! syn`, `& (fin|syn|rst|ack) != syn`.
 */
export function openingMatches(text: string): boolean | undefined {
  const flags = (s: string): Set<string> | undefined => {
    const words = s
      .replace(/[(){}]/g, ' ')
      .split(/[\s,|]+/)
      .filter(Boolean);
    if (words.length === 1 && /^(0|0x0+)$/.test(words[0])) return new Set();
    return words.every((w) => TCP_FLAGS.includes(w)) && words.length ? new Set(words) : undefined;
  };
  const SYN = new Set(['syn']);
  const masked = (mask: Set<string>) => new Set([...SYN].filter((f) => mask.has(f)));
  const same = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));
  const t = text.replace(/\s+/g, ' ').trim();
  // `! syn` is how nft lists `& syn == 0`: none of those flags set.
  let m = /^(?:!|not) (.+)$/.exec(t);
  if (m) {
    const mask = flags(m[1]);
    return mask ? masked(mask).size === 0 : undefined;
  }
  m = /^& (.+?) (==|!=|eq|ne) (.+)$/.exec(t);
  if (m) {
    const mask = flags(m[1]);
    const want = flags(m[3]);
    if (!mask || !want) return undefined;
    return same(masked(mask), want) === (m[2] === '==' || m[2] === 'eq');
  }
  m = /^(==|!=|eq|ne)? ?(.+?) \/ (.+)$/.exec(t);
  if (m) {
    const want = flags(m[2]);
    const mask = flags(m[3]);
    if (!mask || !want) return undefined;
    return same(masked(mask), want) === (m[1] !== '!=' && m[1] !== 'ne');
  }
  m = /^(==|!=|eq|ne)? ?(\{.*\}|[a-z,| ]+)$/.exec(t);
  if (m) {
    const negated = m[1] === '!=' || m[1] === 'ne';
    if (m[2].startsWith('{')) {
      const items = m[2]
        .slice(1, -1)
        .split(',')
        .map((x) => flags(x));
      if (items.some((x) => !x)) return undefined;
      return items.some((x) => same(x!, SYN)) !== negated;
    }
    const want = flags(m[2]);
    if (!want) return undefined;
    // A bare flag list matches when those flags are set (nft reads `syn,ack` as "any of"); a SYN has only syn.
    if (!m[1]) return want.has('syn');
    return same(want, SYN) !== negated;
  }
  return undefined;
}

/**
 * `dnat [ip|ip6] to ADDR[:PORT[-PORT]]` and `redirect [to :PORT[-PORT]]` as a model action; forms with maps or
 * expressions stay outside the model (undefined).
 */
function destinationNat(kw: Tok, args: Tok[], range: Range): Action | undefined {
  const words = args.filter((a) => !/^(ip|ip6|to|persistent|random|fully-random)$/.test(a.text) && a.text !== ',');
  const redirect = kw.text === 'redirect';
  if (words.length > 1 || (!redirect && !words.length)) return undefined;
  const text = words[0]?.text ?? '';
  const m = /^\[([^\]]+)\](?::(.+))?$/.exec(text) ?? /^([^:]*?)(?::([^:]+))?$/.exec(text) ?? /^([0-9a-f:]+)$/i.exec(text);
  if (!m) return undefined;
  const address = m[1] || undefined;
  let toPorts: [number, number] | undefined;
  const port = redirect && !text.includes(':') && /^\d+(-\d+)?$/.test(text) ? text : m[2];
  if (port) {
    const p = /^(\d+)(?:-(\d+))?$/.exec(port);
    if (!p || Number(p[1]) > 65535 || Number(p[2] ?? p[1]) > 65535) return undefined;
    toPorts = [Number(p[1]), Number(p[2] ?? p[1])];
  }
  if (redirect && address && !/^\d+$/.test(address)) return undefined;
  return { kind: 'dnat', redirect, range, ...(address && !redirect ? { toAddress: address } : {}), ...(toPorts ? { toPorts } : {}) };
}

function compareAddr(a: AddressSet, b: AddressSet): number {
  const av = a.v4.isEmpty() ? a.v6.intervals[0]?.[0] : a.v4.intervals[0]?.[0];
  const bv = b.v4.isEmpty() ? b.v6.intervals[0]?.[0] : b.v4.intervals[0]?.[0];
  if (av === undefined || bv === undefined) return 0;
  return av > bv ? 1 : av < bv ? -1 : 0;
}
