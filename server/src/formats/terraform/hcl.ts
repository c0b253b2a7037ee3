/**
 * A small HCL 2 (native syntax) reader that keeps source offsets on every node. No maintained JavaScript HCL
 * parser keeps positions, and the subset Terraform files use (attributes, blocks, literals, templates,
 * references, function calls, operators, conditionals, for expressions) is small enough to read by hand.
 *
 * The reader recovers: a statement it cannot read is reported and skipped to the end of its line (or the
 * block's closing brace), so one typo never hides the rest of the file.
 */

export interface Span {
  start: number;
  end: number;
}

export type Expr =
  | ({ k: 'lit'; value: string | number | boolean | null } & Span)
  /** A quoted string or heredoc with interpolations: literal parts and expressions in order. */
  | ({ k: 'tmpl'; parts: (string | Expr)[] } & Span)
  | ({ k: 'tuple'; items: Expr[] } & Span)
  | ({ k: 'object'; items: { key: Expr; value: Expr }[] } & Span)
  /** A variable and its traversal: `var.x`, `aws_security_group.web.id`, `each.value["port"]`, `x[0]`. */
  | ({ k: 'ref'; root: string; path: (string | Expr)[] } & Span)
  /** Traversal applied to a non-variable expression, e.g. `lookup(a, b).c` or `(x)[0]`. */
  | ({ k: 'index'; target: Expr; key: string | Expr } & Span)
  | ({ k: 'call'; name: string; args: Expr[]; expand: boolean } & Span)
  | ({ k: 'binary'; op: string; left: Expr; right: Expr } & Span)
  | ({ k: 'unary'; op: string; operand: Expr } & Span)
  | ({ k: 'cond'; test: Expr; then: Expr; else: Expr } & Span)
  /** `for` expressions and splats: read, never evaluated. */
  | ({ k: 'opaque'; what: string } & Span);

export interface Attribute extends Span {
  type: 'attribute';
  name: string;
  nameSpan: Span;
  expr: Expr;
}

export interface Block extends Span {
  type: 'block';
  blockType: string;
  typeSpan: Span;
  labels: { value: string; span: Span }[];
  body: Body;
}

export interface Body {
  items: (Attribute | Block)[];
}

export interface HclProblem extends Span {
  message: string;
}

export interface HclFile {
  body: Body;
  problems: HclProblem[];
}

type TokKind = 'ident' | 'number' | 'string' | 'heredoc' | 'punct' | 'nl' | 'eof';

interface Tok extends Span {
  kind: TokKind;
  text: string;
  /** For strings and heredocs: the template parts (literal text and raw interpolation sources with offsets). */
  parts?: (string | { src: string; offset: number })[];
}

const PUNCT3 = ['...'];
const PUNCT2 = ['==', '!=', '<=', '>=', '&&', '||', '=>', '.*', '[*'];
const PUNCT1 = '{}[]()=,.:?+-*/%<>!';
/** Hard bounds: deeper nesting or longer files are reported, never crash the server. */
const MAX_DEPTH = 200;

const NL = 10;
const QUOTE = 34;
const STAR = 42;
const SLASH = 47;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
/** `"`, newline, `\\`, `$`, `%`: the characters a quoted template treats specially. */
const isStringSpecial = (c: number) => c === QUOTE || c === NL || c === 92 || c === 36 || c === 37;
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c) || c === 45;

/** End of the number starting at `i`: digits, an optional fraction, an optional exponent. */
function numberEnd(s: string, i: number): number {
  let j = i;
  while (isDigit(s.charCodeAt(j))) j++;
  if (s.charCodeAt(j) === 46 && isDigit(s.charCodeAt(j + 1))) for (j += 1; isDigit(s.charCodeAt(j)); j++);
  const e = s.charCodeAt(j);
  if (e === 69 || e === 101) {
    let k = j + 1;
    const sign = s.charCodeAt(k);
    if (sign === 43 || sign === 45) k++;
    if (isDigit(s.charCodeAt(k))) for (j = k; isDigit(s.charCodeAt(j)); j++);
  }
  return j;
}

class Lexer {
  readonly toks: Tok[] = [];
  constructor(
    private readonly src: string,
    private readonly base: number,
    private readonly problems: HclProblem[],
  ) {}

  /** One pass over char codes: no per-character regular expressions or slices (files of megabytes are read). */
  run(): Tok[] {
    const s = this.src;
    let i = 0;
    const n = s.length;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === NL) {
        this.push('nl', i, i + 1, '\n');
        i++;
      } else if (c === 32 || c === 9 || c === 13 || c === 0xfeff) i++;
      else if (c === 35 /* # */ || (c === SLASH && s.charCodeAt(i + 1) === SLASH)) {
        const eol = s.indexOf('\n', i);
        i = eol < 0 ? n : eol;
      } else if (c === SLASH && s.charCodeAt(i + 1) === STAR) {
        const close = s.indexOf('*/', i + 2);
        const end = close < 0 ? n : close + 2;
        if (close < 0) this.problem(i, i + 2, 'unterminated /* comment');
        // A block comment spanning lines still ends a statement, as a newline would.
        let j = i;
        while (j < end && s.charCodeAt(j) !== NL) j++;
        if (j < end) this.push('nl', end - 1, end, '\n');
        i = end;
      } else if (isIdentStart(c)) {
        let j = i + 1;
        while (j < n && isIdentPart(s.charCodeAt(j))) j++;
        this.push('ident', i, j, s.slice(i, j));
        i = j;
      } else if (isDigit(c)) {
        const j = numberEnd(s, i);
        this.push('number', i, j, s.slice(i, j));
        i = j;
      } else if (c === QUOTE) i = this.string(i);
      else if (c === 60 /* < */ && s.charCodeAt(i + 1) === 60 && /^<<-?[A-Za-z_]/.test(s.slice(i, i + 4))) i = this.heredoc(i);
      else {
        const three = s.slice(i, i + 3);
        const two = s.slice(i, i + 2);
        const ch = s[i];
        const p = PUNCT3.includes(three) ? three : PUNCT2.includes(two) ? two : PUNCT1.includes(ch) ? ch : undefined;
        if (!p) {
          this.problem(i, i + 1, `unexpected character \`${ch}\``);
          i++;
          continue;
        }
        this.push('punct', i, i + p.length, p);
        i += p.length;
      }
    }
    this.push('eof', n, n, '');
    return this.toks;
  }

  private push(kind: TokKind, start: number, end: number, text: string, parts?: Tok['parts']): void {
    // Every token has the same shape (parts undefined when absent): one hidden class for the parser's reads.
    this.toks.push({ kind, start: start + this.base, end: end + this.base, text, parts });
  }

  private problem(start: number, end: number, message: string): void {
    this.problems.push({ start: start + this.base, end: end + this.base, message });
  }

  /** A quoted template: literal text with `${…}` interpolations (nested braces and strings balanced). */
  private string(start: number): number {
    const s = this.src;
    const parts: Tok['parts'] = [];
    let lit = '';
    let i = start + 1;
    while (i < s.length) {
      const c = s[i];
      if (c === '"') {
        if (lit || !parts.length) parts.push(lit);
        this.push('string', start, i + 1, s.slice(start, i + 1), parts);
        return i + 1;
      }
      if (c === '\n') break;
      if (c === '\\') {
        const e = s[i + 1];
        lit +=
          e === 'n'
            ? '\n'
            : e === 't'
              ? '\t'
              : e === 'r'
                ? '\r'
                : e === 'u'
                  ? String.fromCharCode(parseInt(s.slice(i + 2, i + 6), 16) || 0)
                  : e;
        i += e === 'u' ? 6 : 2;
        continue;
      }
      if ((c === '$' || c === '%') && s[i + 1] === c) {
        lit += c + '{';
        i += 3;
        continue;
      }
      if ((c === '$' || c === '%') && s[i + 1] === '{') {
        const close = this.closeBrace(i + 2);
        if (close < 0) break;
        if (lit) parts.push(lit);
        lit = '';
        parts.push(c === '$' ? { src: s.slice(i + 2, close), offset: i + 2 } : { src: '%', offset: i + 2 });
        i = close + 1;
        continue;
      }
      // Plain text up to the next character that means something here, appended at once.
      let j = i + 1;
      while (j < s.length && !isStringSpecial(s.charCodeAt(j))) j++;
      lit += s.slice(i, j);
      i = j;
    }
    this.problem(start, i, 'unterminated string: a quoted string must end with `"` on the same line');
    this.push('string', start, i, s.slice(start, i), [lit]);
    return i;
  }

  /** Offset of the `}` closing an interpolation that starts at `from`, or -1. */
  private closeBrace(from: number): number {
    const s = this.src;
    let depth = 0;
    for (let i = from; i < s.length; i++) {
      const c = s[i];
      if (c === '\n' && depth === 0 && s.slice(from, i).trim() === '') continue;
      if (c === '"') {
        for (i++; i < s.length && s[i] !== '"' && s[i] !== '\n'; i++) if (s[i] === '\\') i++;
      } else if (c === '{') depth++;
      else if (c === '}') {
        if (depth === 0) return i;
        depth--;
      }
    }
    return -1;
  }

  private heredoc(start: number): number {
    const s = this.src;
    const m = /^<<(-?)([A-Za-z_][A-Za-z0-9_-]*)\r?\n/.exec(s.slice(start, start + 80));
    if (!m) {
      this.problem(start, start + 2, 'heredoc marker must be followed by a line break');
      return start + 2;
    }
    const bodyStart = start + m[0].length;
    const re = new RegExp(`^[ \\t]*${m[2]}[ \\t]*\\r?$`, 'm');
    const rest = s.slice(bodyStart);
    const found = re.exec(rest);
    const end = found ? bodyStart + found.index + found[0].length : s.length;
    if (!found) this.problem(start, bodyStart, `heredoc ${m[2]} is never closed`);
    const body = found ? rest.slice(0, found.index) : rest;
    this.push('heredoc', start, end, s.slice(start, end), [body]);
    return end;
  }
}

export function parseHcl(text: string): HclFile {
  const problems: HclProblem[] = [];
  const toks = new Lexer(text, 0, problems).run();
  const p = new Parser(toks, problems, text);
  const body = p.body(true);
  return { body, problems };
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly problems: HclProblem[],
    private readonly text: string,
  ) {}

  private get t(): Tok {
    return this.toks[this.i];
  }
  private next(): Tok {
    const t = this.toks[this.i];
    if (t.kind !== 'eof') this.i++;
    return t;
  }
  private is(text: string): boolean {
    return this.t.kind === 'punct' && this.t.text === text;
  }
  private skipNl(): void {
    while (this.t.kind === 'nl') this.i++;
  }
  private problem(span: Span, message: string): void {
    this.problems.push({ start: span.start, end: span.end, message });
  }

  /** Skips to the end of the current line, balancing brackets so a broken block is skipped whole. */
  private recover(): void {
    let depth = 0;
    while (this.t.kind !== 'eof') {
      if (this.t.kind === 'nl' && depth <= 0) return;
      if (this.t.kind === 'punct' && '{[('.includes(this.t.text)) depth++;
      if (this.t.kind === 'punct' && '}])'.includes(this.t.text)) {
        if (depth === 0) return;
        depth--;
      }
      this.i++;
    }
  }

  body(top: boolean): Body {
    const items: Body['items'] = [];
    for (;;) {
      this.skipNl();
      const t = this.t;
      if (t.kind === 'eof') {
        return { items };
      }
      if (t.kind === 'punct' && t.text === '}') {
        if (top) {
          this.problem(t, 'unexpected `}`: no block is open here');
          this.next();
          continue;
        }
        return { items };
      }
      if (t.kind !== 'ident') {
        this.problem(t, `expected an attribute name or a block type, found \`${t.text}\``);
        this.next();
        this.recover();
        continue;
      }
      const item = this.item();
      if (item) items.push(item);
    }
  }

  private item(): Attribute | Block | undefined {
    const name = this.next();
    if (this.is('=')) {
      this.next();
      const expr = this.expr();
      this.endOfStatement();
      return { type: 'attribute', name: name.text, nameSpan: { start: name.start, end: name.end }, expr, start: name.start, end: expr.end };
    }
    const labels: Block['labels'] = [];
    while (this.t.kind === 'string' || this.t.kind === 'ident') {
      const l = this.next();
      labels.push({
        value: l.kind === 'string' ? (l.parts ?? []).map((x) => (typeof x === 'string' ? x : '')).join('') : l.text,
        span: { start: l.start, end: l.end },
      });
    }
    if (!this.is('{')) {
      this.problem(this.t.kind === 'nl' || this.t.kind === 'eof' ? name : this.t, `expected \`=\` or \`{\` after \`${name.text}\``);
      this.recover();
      return undefined;
    }
    this.next();
    if (++this.depth > MAX_DEPTH) {
      this.problem(name, `blocks nested deeper than ${MAX_DEPTH} levels`);
      this.depth--;
      this.recover();
      return undefined;
    }
    const body = this.body(false);
    this.depth--;
    let end = this.t.end;
    if (this.is('}')) this.next();
    else {
      this.problem(name, `block \`${name.text}\` is never closed: expected \`}\``);
      end = this.t.start;
    }
    return { type: 'block', blockType: name.text, typeSpan: { start: name.start, end: name.end }, labels, body, start: name.start, end };
  }

  private endOfStatement(): void {
    if (this.t.kind === 'nl' || this.t.kind === 'eof' || this.is('}')) return;
    this.problem(this.t, `unexpected \`${this.t.text}\` after the value: put one attribute per line`);
    this.recover();
  }

  expr(): Expr {
    if (++this.depth > MAX_DEPTH) {
      this.depth--;
      const t = this.t;
      this.problem(t, `expression nested deeper than ${MAX_DEPTH} levels`);
      this.recover();
      return { k: 'opaque', what: 'too deep', start: t.start, end: t.end };
    }
    const e = this.conditional();
    this.depth--;
    return e;
  }

  private conditional(): Expr {
    const test = this.binary(0);
    if (!this.is('?')) return test;
    this.next();
    this.skipNlIn();
    const then = this.expr();
    this.skipNlIn();
    this.expect(':');
    this.skipNlIn();
    const other = this.expr();
    return { k: 'cond', test, then, else: other, start: test.start, end: other.end };
  }

  /** Newlines are insignificant inside brackets; callers inside brackets use this. */
  private nlOk = 0;
  private skipNlIn(): void {
    if (this.nlOk > 0) this.skipNl();
  }

  private static readonly LEVELS = [['||'], ['&&'], ['==', '!='], ['<', '>', '<=', '>='], ['+', '-'], ['*', '/', '%']];

  private binary(level: number): Expr {
    if (level >= Parser.LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      this.skipNlIn();
      if (!(this.t.kind === 'punct' && Parser.LEVELS[level].includes(this.t.text))) return left;
      const op = this.next().text;
      this.skipNlIn();
      const right = this.binary(level + 1);
      left = { k: 'binary', op, left, right, start: left.start, end: right.end };
    }
  }

  private unary(): Expr {
    if (this.is('!') || this.is('-')) {
      const op = this.next();
      const operand = this.unary();
      return { k: 'unary', op: op.text, operand, start: op.start, end: operand.end };
    }
    return this.postfix(this.primary());
  }

  private postfix(e: Expr): Expr {
    for (;;) {
      if (this.is('.') && (this.toks[this.i + 1].kind === 'ident' || this.toks[this.i + 1].kind === 'number')) {
        this.next();
        const k = this.next();
        e = this.traverse(e, k.text, k.end);
      } else if (this.is('.*') || this.is('[*')) {
        const t = this.next();
        if (t.text === '[*') this.expect(']');
        // Splat: read the rest of the traversal, keep the whole as opaque.
        while (this.is('.') && this.toks[this.i + 1].kind === 'ident') this.i += 2;
        e = { k: 'opaque', what: 'splat expression', start: e.start, end: this.toks[this.i - 1].end };
      } else if (this.is('[')) {
        this.next();
        this.nlOk++;
        this.skipNl();
        const key = this.expr();
        this.skipNl();
        this.nlOk--;
        const close = this.expect(']');
        e = this.traverse(e, key, close);
      } else return e;
    }
  }

  private traverse(e: Expr, key: string | Expr, end: number): Expr {
    if (e.k === 'ref') return { ...e, path: [...e.path, key], end };
    return { k: 'index', target: e, key, start: e.start, end };
  }

  private expect(p: string): number {
    if (this.is(p)) return this.next().end;
    this.problem(this.t, `expected \`${p}\`, found \`${this.t.text || 'end of file'}\``);
    return this.t.start;
  }

  private primary(): Expr {
    const t = this.t;
    switch (t.kind) {
      case 'number':
        this.next();
        return { k: 'lit', value: Number(t.text), start: t.start, end: t.end };
      case 'string':
      case 'heredoc':
        this.next();
        return this.template(t);
      case 'ident': {
        this.next();
        if (t.text === 'true' || t.text === 'false') return { k: 'lit', value: t.text === 'true', start: t.start, end: t.end };
        if (t.text === 'null') return { k: 'lit', value: null, start: t.start, end: t.end };
        if (this.is('(') || (this.is(':') && this.toks[this.i + 1]?.text === ':')) return this.call(t);
        return { k: 'ref', root: t.text, path: [], start: t.start, end: t.end };
      }
      case 'punct':
        if (t.text === '[') return this.tuple();
        if (t.text === '{') return this.object();
        if (t.text === '(') {
          this.next();
          this.nlOk++;
          this.skipNl();
          const inner = this.expr();
          this.skipNl();
          this.nlOk--;
          const end = this.expect(')');
          return { ...inner, start: t.start, end };
        }
        break;
      default:
        break;
    }
    this.problem(t, t.kind === 'nl' || t.kind === 'eof' ? 'expected a value' : `expected a value, found \`${t.text}\``);
    return { k: 'opaque', what: 'missing value', start: t.start, end: t.end };
  }

  private call(name: Tok): Expr {
    let fn = name.text;
    while (this.is(':')) {
      // provider-defined functions: provider::name::fn
      this.next();
      this.expect(':');
      fn += '::' + this.next().text;
    }
    this.expect('(');
    this.nlOk++;
    const args: Expr[] = [];
    let expand = false;
    this.skipNl();
    while (!this.is(')') && this.t.kind !== 'eof') {
      const before = this.i;
      args.push(this.expr());
      this.skipNl();
      if (this.is('...')) {
        this.next();
        expand = true;
        this.skipNl();
      }
      if (this.is(',')) this.next();
      else if (!this.is(')')) {
        this.problem(this.t, `expected \`,\` or \`)\` in the call to ${fn}, found \`${this.t.text}\``);
        if (this.i === before) this.next();
        break;
      }
      this.skipNl();
    }
    this.nlOk--;
    const end = this.expect(')');
    return { k: 'call', name: fn, args, expand, start: name.start, end };
  }

  private tuple(): Expr {
    const open = this.next();
    this.nlOk++;
    this.skipNl();
    if (this.t.kind === 'ident' && this.t.text === 'for') return this.forExpr(open, ']');
    const items: Expr[] = [];
    while (!this.is(']') && this.t.kind !== 'eof') {
      const before = this.i;
      items.push(this.expr());
      this.skipNl();
      if (this.is(',')) this.next();
      else if (!this.is(']')) {
        this.problem(this.t, `expected \`,\` or \`]\` in the list, found \`${this.t.text}\``);
        if (this.i === before) this.next();
        this.skipBalanced(']');
        break;
      }
      this.skipNl();
    }
    this.nlOk--;
    const end = this.expect(']');
    return { k: 'tuple', items, start: open.start, end };
  }

  private object(): Expr {
    const open = this.next();
    this.nlOk++;
    this.skipNl();
    if (this.t.kind === 'ident' && this.t.text === 'for') return this.forExpr(open, '}');
    const items: { key: Expr; value: Expr }[] = [];
    while (!this.is('}') && this.t.kind !== 'eof') {
      const before = this.i;
      const key = this.expr();
      // A bare identifier key is a literal name, not a variable reference.
      const k: Expr = key.k === 'ref' && key.path.length === 0 ? { k: 'lit', value: key.root, start: key.start, end: key.end } : key;
      this.skipNl();
      if (this.is('=') || this.is(':')) this.next();
      else {
        this.problem(this.t, `expected \`=\` after the object key, found \`${this.t.text}\``);
        if (this.i === before) this.next();
        this.skipBalanced('}');
        break;
      }
      this.skipNl();
      const value = this.expr();
      items.push({ key: k, value });
      // Items are separated by newlines or commas.
      if (this.is(',')) this.next();
      this.skipNl();
    }
    this.nlOk--;
    const end = this.expect('}');
    return { k: 'object', items, start: open.start, end };
  }

  /** `[for x in xs : f(x) if c]` / `{for k, v in m : k => v}`: skipped with bracket balance, kept opaque. */
  private forExpr(open: Tok, close: string): Expr {
    this.skipBalanced(close);
    this.nlOk--;
    const end = this.expect(close);
    return { k: 'opaque', what: 'for expression', start: open.start, end };
  }

  /** Advances to the `close` bracket that ends the current level (not consuming it). */
  private skipBalanced(close: string): void {
    let depth = 0;
    while (this.t.kind !== 'eof') {
      const x = this.t;
      if (x.kind === 'punct' && '{[('.includes(x.text)) depth++;
      else if (x.kind === 'punct' && x.text === '[*') depth++;
      else if (x.kind === 'punct' && '}])'.includes(x.text)) {
        if (depth === 0 && x.text === close) return;
        if (depth === 0) return;
        depth--;
      }
      this.i++;
    }
  }

  private template(t: Tok): Expr {
    const raw = t.parts ?? [];
    if (t.kind === 'heredoc') {
      return { k: 'tmpl', parts: [raw[0] as string], start: t.start, end: t.end };
    }
    if (raw.length === 1 && typeof raw[0] === 'string') return { k: 'lit', value: raw[0], start: t.start, end: t.end };
    const parts: (string | Expr)[] = raw.map((p) => {
      if (typeof p === 'string') return p;
      if (p.src === '%') return { k: 'opaque', what: 'template directive', start: p.offset, end: p.offset } as Expr;
      const sub = new Lexer(p.src, p.offset, this.problems).run();
      const parser = new Parser(sub, this.problems, this.text);
      parser.nlOk = 1;
      parser.depth = this.depth + 1;
      parser.skipNl();
      const e = parser.expr();
      return e;
    });
    return { k: 'tmpl', parts, start: t.start, end: t.end };
  }
}

/** Reads one expression written at text[start, end) (a JSON string token in `*.tf.json`, say), offsets kept. */
export function parseExpressionAt(text: string, start: number, end: number, problems: HclProblem[]): Expr {
  const toks = new Lexer(text.slice(start, end), start, problems).run();
  return new Parser(toks, problems, text).expr();
}

/** The source text of an expression, for messages ("source var.ssh_cidr"). */
export function exprText(text: string, e: Span, max = 60): string {
  const s = text.slice(e.start, e.end).replace(/\s+/g, ' ');
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

export function attrOf(body: Body, name: string): Attribute | undefined {
  for (const it of body.items) if (it.type === 'attribute' && it.name === name) return it;
  return undefined;
}

export function blocksOf(body: Body, type: string): Block[] {
  return body.items.filter((it): it is Block => it.type === 'block' && it.blockType === type);
}
