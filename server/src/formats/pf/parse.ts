/**
 * OpenBSD/FreeBSD pf.conf parser: macros, tables, options (`set …`), filter rules (`block`/`pass`/`match`,
 * `antispoof`), with translation (`nat`, `rdr`, `binat`), `scrub`, `altq`/`queue` and anchors accepted and
 * not modelled. Line continuation `\` joins physical lines; ranges point at the physical positions.
 *
 * How pf's semantics map onto the first-match model. pf evaluates every filter rule in order; a matching rule
 * becomes the candidate, a matching `quick` rule decides at once, and when the end is reached the last candidate
 * decides (no candidate: pass). Equivalently, in first-match terms:
 *   1. the `quick` rules in file order (the first matching quick rule is where pf would have stopped), then
 *   2. the non-quick rules in reverse file order (the first match in reverse is the last match in pf's order),
 *   3. then the default: pass (chain policy accept).
 * Proof sketch: if some quick rule matches, pf stops at the first one, which is also the first match in (1);
 * otherwise no quick rule matches and pf's answer is the last matching non-quick rule, the first match of (2).
 * So the model gets one table `pf` with a chain `in` (hook input; rules with `in` or no direction) and a chain
 * `out` (hook output), each ordered as above; rule ids stay in file order. pf has no separate forward path: a
 * forwarded packet passes `in` on one interface and `out` on another, so inbound rules are treated as input.
 * `set skip on <if>` becomes a leading pass on that interface. Default TCP state (`flags S/SA keep state`) means
 * rules decide new connections, which is what the exposure walk measures; an explicit `flags S/SA` on a
 * TCP-only rule becomes a SYN test.
 */
import { AddressSet, type Family } from '../../model/addresses';
import { CODES, type Code } from '../../model/codes';
import type { Finding } from '../../model/finding';
import { PortSet } from '../../model/ports';
import { range, type Range } from '../../model/range';
import type { Action, Chain, Condition, PortItem, Rule, Ruleset, Table } from '../../model/ruleset';
import type { ParseContext } from '../format';
import { isBlankCode, isContinuation } from '../tokenize';

interface Tok {
  kind: 'word' | 'string' | 'punct' | 'table';
  text: string;
  line: number;
  start: number;
  end: number;
}

const r = (t: Tok): Range => range(t.line, t.start, t.end);
const span = (a: Tok, b: Tok): Range => ({ start: { line: a.line, character: a.start }, end: { line: b.line, character: b.end } });

/** ASCII codes that end a word, and the one-character punctuation tokens (character codes: the lexer reads every character). */
const WORD_END = new Uint8Array(128);
for (const c of '\n#"\'{}(),!<>=') WORD_END[c.charCodeAt(0)] = 1;
const PUNCT = new Uint8Array(128);
for (const c of '{}(),!<>=') PUNCT[c.charCodeAt(0)] = 1;
/** Two-character operators, as first code * 128 + second code. */
const OPS2 = new Set(['!=', '<=', '>=', '><', '<>'].map((o) => o.charCodeAt(0) * 128 + o.charCodeAt(1)));

/** Lexes a statement list: one array of tokens per logical line (continuations joined). */
export function lexPf(text: string): Tok[][] {
  const out: Tok[][] = [];
  let cur: Tok[] = [];
  let line = 0;
  let col = 0;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  const push = (t: Tok) => cur.push(t);
  while (i < n) {
    const code = text.charCodeAt(i);
    if (code === 10) {
      if (cur.length) out.push(cur);
      cur = [];
      line++;
      col = 0;
      i++;
      continue;
    }
    if (code === 92 && isContinuation(text, i)) {
      i += text[i + 1] === '\r' ? 3 : 2;
      line++;
      col = 0;
      continue;
    }
    if (isBlankCode(code)) {
      i++;
      col++;
      continue;
    }
    if (code === 35 /* # */) {
      const nl = text.indexOf('\n', i);
      const stop = nl < 0 ? n : nl;
      col += stop - i;
      i = stop;
      continue;
    }
    if (code === 34 || code === 39) {
      const ch = text[i];
      let j = i + 1;
      while (j < n && text[j] !== ch && text[j] !== '\n') j++;
      const end = col + (j - i) + (text[j] === ch ? 1 : 0);
      push({ kind: 'string', text: text.slice(i + 1, j), line, start: col, end });
      col = end;
      i = text[j] === ch ? j + 1 : j;
      continue;
    }
    if (code === 60 /* < */) {
      const m = /^<([A-Za-z0-9_-]+)>/.exec(text.slice(i, i + 80));
      if (m) {
        push({ kind: 'table', text: m[1], line, start: col, end: col + m[0].length });
        i += m[0].length;
        col += m[0].length;
        continue;
      }
    }
    if (i + 1 < n && OPS2.has(code * 128 + text.charCodeAt(i + 1))) {
      push({ kind: 'punct', text: text.slice(i, i + 2), line, start: col, end: col + 2 });
      i += 2;
      col += 2;
      continue;
    }
    if (code < 128 && PUNCT[code] === 1) {
      push({ kind: 'punct', text: text[i], line, start: col, end: col + 1 });
      i++;
      col++;
      continue;
    }
    const from = i;
    // The first character is never blank or punctuation here (handled above), so a word is never empty.
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c < 128 ? WORD_END[c] === 1 || isBlankCode(c) || (c === 92 && isContinuation(text, i)) : isBlankCode(c)) break;
      i++;
    }
    // `->` belongs to translation rules; keep it as one word.
    if (text[i] === '>' && text[i - 1] === '-') i++;
    push({ kind: 'word', text: text.slice(from, i), line, start: col, end: col + (i - from) });
    col += i - from;
  }
  if (cur.length) out.push(cur);
  return out;
}

/** Macros that nest other macros can double in size per definition; beyond this they are not expanded. */
const MAX_MACRO = 65_536;

interface PfRule {
  id: number;
  quick: boolean;
  dir: 'in' | 'out' | 'both';
  rule: Omit<Rule, 'chain' | 'id'>;
}

const FILTER_OPTS_1 = new Set([
  'label',
  'tag',
  'tagged',
  'queue',
  'probability',
  'rtable',
  'user',
  'group',
  'tos',
  'max-mss',
  'prio',
  'set',
  'icmp-type',
  'icmp6-type',
  'os',
  'divert-to',
  'divert-reply',
  'route-to',
  'reply-to',
  'dup-to',
  'once',
  'max-pkt-rate',
  'received-on',
  'af-to',
  'nat-to',
  'rdr-to',
  'binat-to',
  'divert-packet',
  'code',
]);

export function parsePf(text: string, ctx: ParseContext): Ruleset {
  return new PfParser(text, ctx).run();
}

class PfParser {
  private readonly problems: Finding[] = [];
  private readonly macros = new Map<string, string>();
  private readonly tables = new Map<string, { set: AddressSet; exact: boolean }>();
  private readonly rules: PfRule[] = [];
  private readonly skip: Tok[] = [];
  private count = 0;
  private blockPolicy: 'drop' | 'reject' = 'drop';

  constructor(
    private readonly text: string,
    private readonly ctx: ParseContext,
  ) {}

  run(): Ruleset {
    for (const stmt of lexPf(this.text)) {
      try {
        this.statement(stmt);
      } catch (e) {
        this.report('PC001', span(stmt[0], stmt[stmt.length - 1]), `internal parser error: ${(e as Error).message}`);
      }
    }
    const whole = range(0, 0, 0);
    const mk = (name: 'in' | 'out'): Chain => ({
      name,
      table: 'pf',
      family: 'both',
      hook: name === 'in' ? 'input' : 'output',
      type: 'filter',
      policy: 'accept',
      range: whole,
      declared: true,
      rules: [],
      label: `pf's ${name === 'in' ? 'inbound' : 'outbound'} rules`,
      order: 'last-match',
    });
    const chains = [mk('in'), mk('out')];
    for (const chain of chains) {
      const dirOk = (d: PfRule['dir']) => d === 'both' || d === chain.name;
      const mkRule = (p: PfRule): Rule => ({ ...p.rule, id: p.id, chain: chain.name, ...(p.quick ? { final: true } : {}) });
      const skips: Rule[] = this.skip.map((t) => ({
        id: this.count++,
        range: r(t),
        table: 'pf',
        chain: chain.name,
        family: 'both',
        conditions: [{ kind: chain.name === 'in' ? 'inInterface' : 'outInterface', name: t.text, negated: false, range: r(t) }],
        action: { kind: 'accept', range: r(t) },
        final: true,
      }));
      const mine = this.rules.filter((p) => dirOk(p.dir));
      chain.rules = [
        ...skips,
        ...mine.filter((p) => p.quick).map(mkRule),
        ...mine
          .filter((p) => !p.quick)
          .reverse()
          .map(mkRule),
      ];
    }
    const table: Table = { name: 'pf', family: 'both', range: whole, chains };
    return { format: 'pf', family: 'both', tables: [table], problems: this.problems };
  }

  private report(code: Code, rg: Range, message: string, data?: Finding['data']): void {
    this.problems.push({ code, severity: CODES[code].severity, message, range: rg, ...(data ? { data } : {}) });
  }

  /** Expands `$macro` words by re-lexing their values (the tokens keep the macro's range). */
  private expand(toks: Tok[], depth = 0, budget = { left: MAX_MACRO }): Tok[] {
    const out: Tok[] = [];
    for (const t of toks) {
      if (t.kind === 'word' && t.text.startsWith('$')) {
        const m = /^\$([A-Za-z_][A-Za-z0-9_]*)(.*)$/.exec(t.text);
        const value = m ? this.macros.get(m[1]) : undefined;
        if (value === undefined || depth > 16) {
          this.report(
            'PC001',
            r(t),
            `macro \`${t.text}\` is not defined: pfctl rejects the rule (define it as \`${m?.[1] ?? t.text.slice(1)} = "…"\` above)`,
          );
          continue;
        }
        // Macros naming macros can multiply; the whole expansion of one statement has one allowance.
        budget.left -= value.length;
        if (budget.left < 0) {
          if (budget.left + value.length >= 0)
            this.report('PC001', r(t), `macro \`${t.text}\` expands to more than ${MAX_MACRO} characters: not expanded`);
          continue;
        }
        const inner = this.lexMacro(value + (m![2] ?? '')).map((x) => ({ ...x, line: t.line, start: t.start, end: t.end }));
        out.push(...this.expand(inner, depth + 1, budget));
      } else out.push(t);
    }
    return out;
  }

  /** A macro's value lexed once per text (`$ext_if` is in most rules); callers copy the tokens. */
  private readonly lexedMacros = new Map<string, Tok[]>();
  private lexMacro(value: string): Tok[] {
    let toks = this.lexedMacros.get(value);
    if (!toks) {
      toks = lexPf(value)[0] ?? [];
      if (value.length <= 4096 && this.lexedMacros.size < 1024) this.lexedMacros.set(value, toks);
    }
    return toks;
  }

  private statement(raw: Tok[]): void {
    const first = raw[0];
    // Macro definition: name = value
    if (
      raw.length >= 2 &&
      first.kind === 'word' &&
      raw[1].kind === 'punct' &&
      raw[1].text === '=' &&
      /^[A-Za-z_][A-Za-z0-9_]*$/.test(first.text)
    ) {
      const vtoks = this.expand(raw.slice(2));
      const value =
        raw.length === 3 && raw[2].kind === 'string'
          ? this.expandString(raw[2])
          : vtoks.map((t) => (t.kind === 'table' ? `<${t.text}>` : t.text)).join(' ');
      this.macros.set(first.text, value);
      return;
    }
    const toks = this.expand(raw);
    if (!toks.length) return;
    const kw = toks[0];
    switch (kw.text) {
      case 'set':
        if (toks[1]?.text === 'skip' && toks[2]?.text === 'on') {
          for (const t of toks.slice(3)) if (t.kind === 'word') this.skip.push(t);
        }
        if (toks[1]?.text === 'block-policy') this.blockPolicy = toks[2]?.text === 'return' ? 'reject' : 'drop';
        return;
      case 'table':
        return this.table(toks);
      case 'block':
      case 'pass':
      case 'match':
        return this.filterRule(toks);
      case 'antispoof':
        return this.antispoof(toks);
      case 'scrub':
      case 'nat':
      case 'rdr':
      case 'binat':
      case 'no':
      case 'nat-anchor':
      case 'rdr-anchor':
      case 'binat-anchor':
      case 'anchor':
      case 'load':
      case 'altq':
      case 'queue':
      case 'include':
      case 'ether':
      case '}':
        return;
      default:
        this.report(
          'PC001',
          r(kw),
          `unknown statement \`${kw.text}\`: expected a macro, \`table\`, \`set\`, \`pass\`, \`block\`, \`match\`, \`scrub\`, \`nat\`, \`rdr\`, \`anchor\`, \`altq\` or \`queue\``,
        );
    }
  }

  private expandString(t: Tok): string {
    const out = t.text.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, name) => {
      const v = this.macros.get(name);
      if (v === undefined) {
        this.report('PC001', r(t), `macro \`$${name}\` is not defined`);
        return m;
      }
      return v;
    });
    if (out.length <= MAX_MACRO) return out;
    this.report('PC001', r(t), `expands to more than ${MAX_MACRO} characters: not expanded`);
    return t.text;
  }

  private table(toks: Tok[]): void {
    const name = toks[1];
    if (!name || name.kind !== 'table') {
      this.report('PC001', r(name ?? toks[0]), 'expected a table name such as `<bruteforce>` after `table`');
      return;
    }
    let set = AddressSet.NONE;
    let exact = true;
    let hasElems = false;
    for (let k = 2; k < toks.length; k++) {
      const t = toks[k];
      if (t.text === 'file') {
        exact = false;
        k++;
        continue;
      }
      if (t.text === '{') {
        let neg = false;
        for (k++; k < toks.length && toks[k].text !== '}'; k++) {
          const e = toks[k];
          if (e.text === ',') continue;
          if (e.text === '!') {
            neg = true;
            continue;
          }
          hasElems = true;
          const a = this.addr(e.text);
          if (neg || !a) exact = false;
          else set = set.union(a);
          if (!a && !isHostOrIface(e.text)) this.report('PC007', r(e), `malformed address \`${e.text}\` in table <${name.text}>`);
          neg = false;
        }
      }
    }
    // A table pfctl can change at run time without elements here (persist) is unknown.
    if (!hasElems) exact = false;
    this.tables.set(name.text, { set, exact });
  }

  /** Address texts read before: equal networks share one set (analysis caches by identity), and are parsed once. */
  private readonly addrs = new Map<string, AddressSet | undefined>();
  private addr(text: string): AddressSet | undefined {
    if (this.addrs.has(text)) return this.addrs.get(text);
    const set = this.parseAddr(text);
    this.addrs.set(text, set);
    return set;
  }
  private parseAddr(text: string): AddressSet | undefined {
    let t = text;
    const m = /^(\d+(?:\.\d+){0,3})\/(\d+)$/.exec(t);
    if (m) t = `${m[1]}${'.0'.repeat(3 - (m[1].match(/\./g)?.length ?? 0))}/${m[2]}`;
    return AddressSet.parse(t);
  }

  private antispoof(toks: Tok[]): void {
    const quick = toks.some((t) => t.text === 'quick');
    const fr = span(toks[0], toks[toks.length - 1]);
    this.rules.push({
      id: this.count++,
      quick,
      dir: 'in',
      rule: {
        range: fr,
        table: 'pf',
        family: 'both',
        conditions: [{ kind: 'opaque', text: toks.map((t) => t.text).join(' '), range: fr }],
        action: { kind: 'drop', range: r(toks[0]) },
      },
    });
  }

  private filterRule(toks: Tok[]): void {
    const kw = toks[0];
    let k = 1;
    let action: Action;
    if (kw.text === 'pass') action = { kind: 'accept', range: r(kw) };
    else if (kw.text === 'match') action = { kind: 'continue', target: 'match', range: r(kw) };
    else {
      action = { kind: this.blockPolicy, range: r(kw) };
      const how = toks[k]?.text;
      if (how === 'drop') {
        action = { kind: 'drop', range: span(kw, toks[k]) };
        k++;
      } else if (how && /^return(-rst|-icmp6?)?$/.test(how)) {
        action = { kind: 'reject', range: span(kw, toks[k]) };
        k++;
        if (toks[k]?.text === '(') while (k < toks.length && toks[k++].text !== ')');
      }
    }
    const conditions: Condition[] = [];
    let dir: PfRule['dir'] = 'both';
    let quick = false;
    let family: Family | 'both' = 'both';
    let protocols: string[] | undefined;
    let protoTok: Tok | undefined;
    const portConds: Condition[] = [];
    let flagsSyn: Tok | undefined;
    let label: string | undefined;
    const at = () => toks[k];
    while (k < toks.length) {
      const t = toks[k];
      switch (t.text) {
        case 'in':
        case 'out':
          dir = t.text;
          k++;
          continue;
        case 'log':
          k++;
          if (at()?.text === '(') while (k < toks.length && toks[k++].text !== ')');
          continue;
        case 'quick':
          quick = true;
          k++;
          continue;
        case 'on': {
          k++;
          const { items, negated, end } = this.list(toks, k);
          k = end;
          const names = items.map((x) => x.text);
          if (names.length === 1 && names[0] !== 'any')
            conditions.push({ kind: dir === 'out' ? 'outInterface' : 'inInterface', name: names[0], negated, range: span(t, toks[k - 1]) });
          else if (names.length > 1) conditions.push({ kind: 'opaque', text: `on { ${names.join(' ')} }`, range: span(t, toks[k - 1]) });
          continue;
        }
        case 'inet':
        case 'inet6':
          family = t.text === 'inet' ? 'ipv4' : 'ipv6';
          k++;
          continue;
        case 'proto': {
          k++;
          const { items, end } = this.list(toks, k);
          k = end;
          protoTok = t;
          protocols = items.map((x) => x.text.toLowerCase());
          conditions.push({ kind: 'protocol', protocols, negated: false, range: span(t, toks[k - 1]) });
          continue;
        }
        case 'all':
          k++;
          continue;
        case 'from':
        case 'to': {
          k++;
          k = this.hosts(toks, k, t, t.text === 'from' ? 'source' : 'destination', conditions, portConds, protocols);
          continue;
        }
        case 'flags': {
          k++;
          const v = toks[k++];
          if (v && /^S\/SA/i.test(v.text)) flagsSyn = v;
          continue;
        }
        case 'keep':
        case 'modulate':
        case 'synproxy':
          k++;
          if (at()?.text === 'state') k++;
          if (at()?.text === '(') while (k < toks.length && toks[k++].text !== ')');
          continue;
        case 'no':
          k += 2;
          continue;
        case 'allow-opts':
        case 'fragment':
        case 'state':
          k++;
          continue;
        default:
          if (FILTER_OPTS_1.has(t.text)) {
            k++;
            if (t.text === 'label' && at()) label = at().text;
            if (t.text === 'set' && at()) k++;
            if (at()?.text === '(' || at()?.text === '{') {
              const close = at().text === '(' ? ')' : '}';
              while (k < toks.length && toks[k++].text !== close);
            } else k++;
            if ((t.text === 'user' || t.text === 'group') && ['=', '!=', '<', '>', '<=', '>=', '><', '<>'].includes(toks[k - 1]?.text)) k++;
            continue;
          }
          this.report('PC001', r(t), `unexpected \`${t.text}\` in a ${kw.text} rule`);
          k = toks.length;
      }
    }
    if (family === 'both') {
      // An address test of one family means the rule only applies to that family.
      const addrs = conditions.filter(
        (c): c is Extract<Condition, { kind: 'source' | 'destination' }> =>
          (c.kind === 'source' || c.kind === 'destination') && !c.negated && !c.unresolved?.length && !c.set.isEmpty(),
      );
      if (addrs.some((c) => c.set.v6.isEmpty())) family = 'ipv4';
      else if (addrs.some((c) => c.set.v4.isEmpty())) family = 'ipv6';
      if (family !== 'both' && !conditions.some((c) => c.kind === 'source' && !c.negated))
        conditions.push({ kind: 'source', set: AddressSet.any(family), negated: false, range: addrs[0].range });
    } else if (!conditions.some((c) => c.kind === 'source' && !c.negated)) {
      conditions.push({
        kind: 'source',
        set: AddressSet.any(family),
        negated: false,
        range: r(toks.find((t) => t.text === 'inet' || t.text === 'inet6')!),
      });
    }
    if (flagsSyn && protocols?.length === 1 && protocols[0] === 'tcp')
      conditions.push({ kind: 'tcpFlags', syn: true, negated: false, range: r(flagsSyn) });
    if (portConds.length) {
      const ok = protocols && protocols.length && protocols.every((p) => p === 'tcp' || p === 'udp' || p === '6' || p === '17');
      if (!ok) {
        for (const pc of portConds) {
          this.report(
            'PC004',
            pc.range,
            protocols
              ? `port match with \`proto ${protocols.join(',')}\`: pf allows ports only for tcp and udp, so pfctl rejects this rule`
              : 'port match without `proto tcp` or `proto udp`: ports exist only in transport-layer headers, and pfctl rejects this rule',
            { fix: 'add-protocol' },
          );
        }
      }
    }
    void protoTok;
    this.rules.push({
      id: this.count++,
      quick,
      dir,
      rule: {
        range: span(toks[0], toks[toks.length - 1]),
        table: 'pf',
        family,
        conditions,
        action,
        ...(label !== undefined ? { comment: label } : {}),
      },
    });
  }

  /** `x` or `{ x, y z }` with an optional leading `!`. */
  private list(toks: Tok[], k: number): { items: Tok[]; negated: boolean; end: number } {
    let negated = false;
    if (toks[k]?.text === '!') {
      negated = true;
      k++;
    }
    if (toks[k]?.text === '{') {
      const items: Tok[] = [];
      for (k++; k < toks.length && toks[k].text !== '}'; k++) if (toks[k].text !== ',') items.push(toks[k]);
      if (toks[k]?.text !== '}') this.report('PC001', r(toks[k - 1] ?? toks[0]), 'unbalanced `{`: the matching `}` is missing');
      return { items, negated, end: Math.min(k + 1, toks.length) };
    }
    if (!toks[k]) {
      this.report('PC001', r(toks[k - 1]), `expected a value after \`${toks[k - 1].text}\``);
      return { items: [], negated, end: k };
    }
    return { items: [toks[k]], negated, end: k + 1 };
  }

  private hosts(
    toks: Tok[],
    k: number,
    kw: Tok,
    kind: 'source' | 'destination',
    conditions: Condition[],
    portConds: Condition[],
    protocols: string[] | undefined,
  ): number {
    const startK = k;
    const elems: { neg: boolean; toks: Tok[] }[] = [];
    const readHost = (): void => {
      let neg = false;
      if (toks[k]?.text === '!') {
        neg = true;
        k++;
      }
      const t = toks[k];
      if (!t) return;
      if (t.text === '(') {
        const group: Tok[] = [];
        for (k++; k < toks.length && toks[k].text !== ')'; k++) group.push(toks[k]);
        k = this.close(toks, k, t);
        elems.push({ neg, toks: [t, ...group] });
        return;
      }
      k++;
      // `10.0.0.1 - 10.0.0.9` address range
      if (toks[k]?.text === '-' && toks[k + 1]) {
        elems.push({ neg, toks: [t, toks[k], toks[k + 1]] });
        k += 2;
        return;
      }
      if (t.text === 'route' && toks[k]) k++;
      elems.push({ neg, toks: [t] });
    };
    if (toks[k]?.text === '{' || (toks[k]?.text === '!' && toks[k + 1]?.text === '{')) {
      let neg = false;
      if (toks[k].text === '!') {
        neg = true;
        k++;
      }
      k++;
      while (k < toks.length && toks[k].text !== '}') {
        if (toks[k].text === ',') {
          k++;
          continue;
        }
        const before = elems.length;
        readHost();
        if (neg) for (let e = before; e < elems.length; e++) elems[e].neg = !elems[e].neg;
      }
      k = this.close(toks, k, toks[startK + (neg ? 1 : 0)]);
    } else if (toks[k] && toks[k].text !== 'port') readHost();
    const hostEnd = k;
    if (elems.length && !(elems.length === 1 && elems[0].toks[0].text === 'any' && !elems[0].neg)) {
      let set = AddressSet.NONE;
      const unresolved: string[] = [];
      let local = true;
      let opaque = false;
      const negs = elems.filter((e) => e.neg).length;
      if (negs && negs !== elems.length) opaque = true;
      for (const e of elems) {
        const t0 = e.toks[0];
        if (e.toks.length === 3 && e.toks[1].text === '-') {
          const a = AddressSet.parse(`${t0.text}-${e.toks[2].text}`);
          if (a) set = set.union(a);
          else this.report('PC007', span(t0, e.toks[2]), `malformed address range \`${t0.text} - ${e.toks[2].text}\``);
          continue;
        }
        if (t0.kind === 'table') {
          // A table filled at run time (persist/const without elements, `file`) is decided outside this file.
          const tb = this.tables.get(t0.text);
          if (tb?.exact) set = set.union(tb.set);
          else {
            unresolved.push(`<${t0.text}>`);
            local = false;
          }
          continue;
        }
        if (t0.text === '(') {
          // `(em0)`: the interface's addresses, followed as they change.
          unresolved.push(
            `(${e.toks
              .slice(1)
              .map((x) => x.text)
              .join('')})`,
          );
          continue;
        }
        if (t0.text === 'any') {
          set = AddressSet.ANY;
          continue;
        }
        const a = this.addr(t0.text);
        if (a) set = set.union(a);
        else if (isHostOrIface(t0.text)) {
          unresolved.push(t0.text);
          if (!isInterfaceDerived(t0.text)) local = false;
        } else
          this.report(
            'PC007',
            r(t0),
            `malformed address \`${t0.text}\`: expected an address, a network such as 192.0.2.0/24, a <table>, an interface, \`self\` or \`any\``,
          );
      }
      const rg = span(toks[startK], toks[hostEnd - 1]);
      if (opaque)
        conditions.push({
          kind: 'opaque',
          text: `${kw.text} ${toks
            .slice(startK, hostEnd)
            .map((t) => t.text)
            .join(' ')}`,
          range: rg,
        });
      else
        conditions.push({
          kind,
          set,
          negated: negs > 0,
          range: span(kw, toks[hostEnd - 1]),
          ...(unresolved.length ? { unresolved, ...(local && set.isEmpty() ? { local } : {}) } : {}),
        });
    }
    if (toks[k]?.text === 'port') {
      const portTok = toks[k];
      k++;
      if (!toks[k]) {
        this.report('PC001', r(portTok), 'expected a port, a `{ … }` list or a service name after `port`');
        return k;
      }
      const { items, set, end, negated } = this.ports(toks, k, protocols);
      k = end;
      const cond: Condition = { kind: kind === 'source' ? 'sport' : 'dport', set, negated, range: span(portTok, toks[k - 1]), items };
      conditions.push(cond);
      portConds.push(cond);
    }
    return k;
  }

  private portValue(t: Tok, protocols: string[] | undefined): number | undefined {
    if (/^\d+$/.test(t.text)) {
      const v = Number(t.text);
      if (v > 65535) {
        this.report('PC002', r(t), `port \`${t.text}\` is out of range: ports are 0–65535`);
        return undefined;
      }
      return v;
    }
    const proto = protocols?.find((p) => p === 'tcp' || p === 'udp');
    const v = this.ctx.resolveService(t.text, proto) ?? this.ctx.resolveService(t.text);
    if (v === undefined) this.report('PC011', r(t), `unknown service name \`${t.text}\`: use a port number or a name from /etc/services`);
    return v;
  }

  /** One port spec or a `{ … }` list of them. */
  private ports(
    toks: Tok[],
    k: number,
    protocols: string[] | undefined,
  ): { items: PortItem[]; set: PortSet; end: number; negated: boolean } {
    const items: PortItem[] = [];
    let set = PortSet.NONE;
    const one = (): void => {
      const t = toks[k];
      if (!t) return;
      const OPS = ['=', '!=', '<', '>', '<=', '>='];
      if (t.kind === 'punct' && OPS.includes(t.text)) {
        const v = toks[k + 1];
        k = Math.min(k + 2, toks.length);
        if (!v) {
          this.report('PC001', r(t), `expected a port after \`${t.text}\``);
          return;
        }
        const n = this.portValue(v, protocols);
        if (n === undefined) return;
        let s: PortSet;
        let lo = n;
        let hi = n;
        switch (t.text) {
          case '!=':
            s = PortSet.single(n).complement();
            break;
          case '<':
            s = n > 0 ? PortSet.range(0, n - 1) : PortSet.NONE;
            lo = 0;
            hi = n - 1;
            break;
          case '<=':
            s = PortSet.range(0, n);
            lo = 0;
            break;
          case '>':
            s = PortSet.range(n + 1, 65535);
            lo = n + 1;
            hi = 65535;
            break;
          case '>=':
            s = PortSet.range(n, 65535);
            hi = 65535;
            break;
          default:
            s = PortSet.single(n);
        }
        set = set.union(s);
        items.push({ text: `${t.text} ${v.text}`, range: span(t, v), lo: Math.max(0, lo), hi: Math.max(0, hi) });
        return;
      }
      k++;
      // a:b inclusive
      const colon = /^(\w[\w-]*):(\w[\w-]*)$/.exec(t.text);
      if (colon && (/^\d+$/.test(colon[1]) || /^\d+$/.test(colon[2]))) {
        const a = this.portValue({ ...t, text: colon[1] }, protocols);
        const b = this.portValue({ ...t, text: colon[2] }, protocols);
        if (a === undefined || b === undefined) return;
        if (a > b) this.report('PC003', r(t), `port range \`${t.text}\` is reversed (${a} > ${b}): it matches no packet`);
        else set = set.union(PortSet.range(a, b));
        items.push({ text: t.text, range: r(t), lo: a, hi: b });
        return;
      }
      const a = this.portValue(t, protocols);
      if (a === undefined) return;
      const op = toks[k];
      if (op && (op.text === '><' || op.text === '<>') && toks[k + 1]) {
        const bt = toks[k + 1];
        k += 2;
        const b = this.portValue(bt, protocols);
        if (b === undefined) return;
        if (op.text === '><') {
          if (b - a < 2) this.report('PC003', span(t, bt), `port range \`${a} >< ${b}\` (exclusive) is empty: it matches no packet`);
          else set = set.union(PortSet.range(a + 1, b - 1));
          items.push({ text: `${a} >< ${b}`, range: span(t, bt), lo: a + 1, hi: Math.max(a + 1, b - 1) });
        } else {
          set = set.union(PortSet.range(a, b).complement());
          items.push({ text: `${a} <> ${b}`, range: span(t, bt), lo: a, hi: b });
        }
        return;
      }
      set = set.union(PortSet.single(a));
      items.push({ text: t.text, range: r(t), lo: a, hi: a, ...(/^\d+$/.test(t.text) ? {} : { service: t.text }) });
    };
    if (toks[k]?.text === '{') {
      const open = toks[k];
      k++;
      while (k < toks.length && toks[k].text !== '}') {
        if (toks[k].text === ',') {
          k++;
          continue;
        }
        const before = k;
        one();
        if (k === before) k++;
      }
      k = this.close(toks, k, open);
    } else one();
    return { items, set, end: k, negated: false };
  }

  /** Steps over the `}` or `)` closing `open` at toks[k], or reports that it is missing (k stays at the end). */
  private close(toks: Tok[], k: number, open: Tok): number {
    const want = open.text === '(' ? ')' : '}';
    if (toks[k]?.text === want) return k + 1;
    this.report('PC001', r(toks[Math.min(k, toks.length) - 1] ?? open), `unbalanced \`${open.text}\`: the matching \`${want}\` is missing`);
    return Math.min(k, toks.length);
  }
}

/**
 * Names pf resolves from the host's interfaces: `em0:network` (and :broadcast, :peer, :0), `self`, an interface
 * name (driver name and unit number, e.g. em0, vio0) or a standard interface group. Anything else is a host name.
 */
function isInterfaceDerived(s: string): boolean {
  return (
    /:(network|broadcast|peer|0)$/.test(s) ||
    s === 'self' ||
    /^[a-z][a-z0-9]*[0-9]$/.test(s) ||
    /^(egress|lo|carp|tun|tap|pppoe|wg|enc|pflog|bridge|vlan)$/.test(s)
  );
}

function isHostOrIface(s: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_.-]*(:(network|broadcast|peer|0))?$/.test(s);
}
