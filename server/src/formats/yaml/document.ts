/**
 * YAML reading shared by the compose, Kubernetes and CloudFormation formats: @stoplight/yaml-ast-parser's
 * syntax tree turned into this module's small node types (with source offsets, YAML 1.2 core scalars and tags),
 * its errors turned into findings, and guards for hostile input (size, alias expansion, templates).
 * Consumers read nodes only through this module; no other file imports the library.
 */
import { Kind, loadAll, type YAMLNode, type YAMLScalar, type YAMLSequence } from '@stoplight/yaml-ast-parser';
import type { Finding } from '../../model/finding';
import type { Range } from '../../model/range';
import { Positions } from '../positions';

/** Larger documents are not analysed: the reader says so instead of spending seconds and memory on them. */
export const MAX_YAML_BYTES = 4 * 1024 * 1024;
/** Syntax problems listed per file; a broken file says how many more there are instead of thousands of diagnostics. */
const MAX_PROBLEMS = 200;
/** Alias resolutions allowed per file; a billion-laughs document stops here. */
const MAX_ALIASES = 1000;
/** Deeper nesting is not read further (the tree is built recursively). */
const MAX_DEPTH = 1000;

/** How a scalar is written: quoted scalars are always text; plain ones resolve as YAML 1.2 core scalars. */
export type ScalarStyle = 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' | 'BLOCK';

/**
 * Every node has the same fields for its kind, in the same order (made by `scalarNode`, `mapNode`, … only), so each
 * kind has one object shape. `start`/`end`: offsets in the text, [start, end) (two fields, not a `[start, end]` pair:
 * no array per node). `tag`: an explicit tag (`!reset`, `!Ref`), as written without the handle's expansion.
 */
export interface Scalar {
  kind: 'scalar';
  value: string | number | boolean | null;
  type: ScalarStyle;
  tag: string | undefined;
  start: number;
  end: number;
}
export interface YamlMap {
  kind: 'map';
  items: Pair[];
  /** True when a key is `<<` (a merge key, see mergedItems). */
  merges: boolean;
  tag: string | undefined;
  start: number;
  end: number;
}
export interface YamlSeq {
  kind: 'seq';
  items: Node[];
  tag: string | undefined;
  start: number;
  end: number;
}
/** `*name`: `source` is the anchored node (undefined when no anchor of that name precedes it). */
export interface Alias {
  kind: 'alias';
  source: Node | undefined;
  tag: undefined;
  start: number;
  end: number;
}
export type Node = Scalar | YamlMap | YamlSeq | Alias;
export interface Pair {
  key: Node | null;
  value: Node | null;
}
export interface YamlDocument {
  contents: Node | null;
}

export interface YamlFile {
  docs: YamlDocument[];
  problems: Finding[];
  /** Offset → LSP range. */
  range(start: number, end: number): Range;
  rangeOf(node: Node | Pair | null | undefined): Range;
  /** Follows an alias (within the file's budget); other nodes are returned as they are. */
  deref(node: unknown): Node | undefined;
  /** True when the text holds `{{ … }}` template syntax (Helm, Go templates). */
  template: boolean;
  /** The alias at which the alias budget ran out, if it did: what lies behind it was not read. */
  overBudget?: Node;
}

const TEMPLATE = /\{\{[-\s]?[\s\S]*?\}\}/;

/** `tags`: application tags the caller gives meaning to (compose's `!reset`), read without a warning. */
export function readYaml(text: string, what: string, tags: string[] = []): YamlFile {
  const positions = new Positions(text);
  const range = (start: number, end: number): Range => positions.range(start, end);
  const template = TEMPLATE.test(text);
  const problems: Finding[] = [];
  const file: YamlFile = { docs: [], problems, range, rangeOf: () => range(0, 0), deref: () => undefined, template };
  if (text.length > MAX_YAML_BYTES) {
    problems.push({
      code: 'PC001',
      severity: 'warning',
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      message: `${what} not analysed: ${(text.length / 1048576).toFixed(1)} MB is more than the ${MAX_YAML_BYTES / 1048576} MB a YAML file may have here.`,
    });
    return file;
  }
  const parsed = parseYaml(text, tags);
  file.docs = parsed.docs;
  file.rangeOf = (node) => {
    if (!node) return range(0, 0);
    if ('kind' in node) return range(node.start, node.end);
    // A pair: from its key (or value) to its value (or key).
    const first = node.key ?? node.value;
    const last = node.value ?? node.key;
    return first && last ? range(first.start, last.end) : range(0, 0);
  };
  file.deref = derefWithin(file);
  if (template) {
    // A template is not YAML until rendered: one note, not a storm of syntax errors.
    const m = TEMPLATE.exec(text)!;
    const bad = parsed.problems.some((p) => p.error);
    problems.push({
      code: 'PC124',
      severity: 'information',
      range: range(m.index, m.index + m[0].length),
      message: `${what} contains template syntax ({{ … }}): template, not analysed${bad ? '' : ' (the parts outside templates are read as written)'}. Render it (helm template) and check the output.`,
    });
    if (bad) file.docs = [];
    return file;
  }
  for (const p of parsed.problems.slice(0, MAX_PROBLEMS))
    problems.push({ code: 'PC001', severity: p.error ? 'error' : 'warning', range: range(p.start, p.end), message: `YAML: ${p.message}` });
  if (parsed.problems.length > MAX_PROBLEMS) {
    const last = parsed.problems[MAX_PROBLEMS];
    const message = `YAML: ${parsed.problems.length - MAX_PROBLEMS} more problems from here on are not listed.`;
    problems.push({ code: 'PC001', severity: 'warning', range: range(last.start, last.end), message });
  }
  return file;
}

/** A syntax problem at offsets [start, end) of the text; `error` false for a warning. */
export interface YamlProblem {
  start: number;
  end: number;
  message: string;
  error: boolean;
}

/**
 * The documents of a YAML text and its problems. Tags are kept on the nodes; `known` tags (or all), and YAML's own
 * (`!!str`, `!!int`, …), are read silently, other tags with a warning that says they are kept as written.
 */
export function parseYaml(text: string, known: string[] | 'all' = []): { docs: YamlDocument[]; problems: YamlProblem[] } {
  // The library drops a byte-order mark, which shifts its offsets by one; give it the text without and shift back.
  const shift = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const lib: YAMLNode[] = [];
  const problems: YamlProblem[] = [];
  const slow = tagCost(text) ?? tabCost(text);
  if (slow) {
    problems.push({ start: 0, end: 1, error: true, message: `not read: ${slow}.` });
    return { docs: [], problems };
  }
  try {
    // An empty schema: the library reports every tag (Builder places them) and resolves no scalar (its rules are YAML 1.1).
    loadAll(shift ? text.slice(1) : text, (d) => lib.push(d), { schema: EMPTY_SCHEMA, ignoreDuplicateKeys: true });
  } catch (e) {
    // Recursion in the library (tens of thousands of nested brackets) is the one way it throws.
    problems.push({ start: 0, end: 1, error: true, message: `not read: ${e instanceof RangeError ? 'nested too deeply' : String(e)}.` });
    return { docs: [], problems };
  }
  const b = new Builder(text, shift, known, problems);
  for (const e of lib[0]?.errors ?? []) b.libraryError(e.reason, e.mark.position + shift, e.isWarning);
  b.start();
  const docs = lib.map((d) => ({ contents: b.node(d, 0) }));
  b.finish();
  problems.sort((x, y) => x.start - y.start);
  return { docs, problems };
}

/**
 * The library finds the line of each tag it reports by counting lines from the top, so its time grows with tags ×
 * lines (CPU here: 50 ms for 2,000 tags on 2,000 lines, 0.2 s for 2,200 on 22,000). Texts past this product are not
 * read (at most about half a second); a 130 KB CloudFormation template with a tag on every fifth line (1,700 tags on
 * 8,500 lines, 0.1 s) stays well below it.
 */
const MAX_TAG_COST = 5e7;

/** Why the text is too slow to read (tags × lines past MAX_TAG_COST), or undefined. Counts every `!` that may start a tag. */
function tagCost(text: string): string | undefined {
  let tags = 0;
  for (let i = text.indexOf('!'); i >= 0; i = text.indexOf('!', i + 2)) {
    const before = text[i - 1];
    if (i === 0 || before === ' ' || before === '\n' || before === '\t' || before === '[' || before === '{' || before === ',') tags++;
  }
  if (!tags) return undefined;
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  if (tags * lines < MAX_TAG_COST) return undefined;
  return `${tags} tags on ${lines} lines would take this YAML reader too long (its time grows with tags × lines); split the file`;
}

/** The library warns about every tab between tokens, with an object and a message each (5 µs here): at most this many tabs. */
const MAX_TABS = 100_000;

function tabCost(text: string): string | undefined {
  let tabs = 0;
  for (let i = text.indexOf('\t'); i >= 0 && tabs <= MAX_TABS; i = text.indexOf('\t', i + 1)) tabs++;
  return tabs > MAX_TABS ? `more than ${MAX_TABS} tabs would take this YAML reader too long (YAML indents with spaces)` : undefined;
}

/** The library's schema type: no implicit types and no explicit ones. */
const EMPTY_SCHEMA = { compiledImplicit: [], compiledExplicit: [], compiledTypeMap: Object.create(null) as object };
const CORE = 'tag:yaml.org,2002:';
/** Characters that end a tag or anchor token. */
const STOP = /[ \t\r\n,[\]{}]/;
const BLOCK_INDICATOR = /^[|>]/;
const SPACE = /\s/;
/** YAML's own tags that resolve a scalar (even a quoted one) as the core schema does. */
const CORE_RESOLVING = new Set(['int', 'float', 'bool', 'null'].map((t) => CORE + t));

// The only places nodes are made: one object shape per kind (all fields, always in this order).
const scalarNode = (value: Scalar['value'], type: ScalarStyle, tag: string | undefined, start: number, end: number): Scalar => ({
  kind: 'scalar',
  value,
  type,
  tag,
  start,
  end,
});
const mapNode = (items: Pair[], tag: string | undefined, start: number, end: number): YamlMap => ({
  kind: 'map',
  items,
  merges: false,
  tag,
  start,
  end,
});
const seqNode = (items: Node[], tag: string | undefined, start: number, end: number): YamlSeq => ({ kind: 'seq', items, tag, start, end });
const aliasNode = (source: Node | undefined, start: number, end: number): Alias => ({ kind: 'alias', source, tag: undefined, start, end });

/** Builds this module's nodes from the library's, in document order (which is the order of offsets). */
class Builder {
  /** Explicit tags by the offset of the node's properties, in offset order, and the next one not yet placed. */
  private tags: { at: number; tag: string }[] = [];
  private nextTag = 0;
  private anchors = new Map<YAMLNode, Node>();
  /** Library errors are reported up to this line (0-based) only once. */
  private quietUntil = -1;
  /** Offsets of the indenting tabs reported so far. */
  private tabsReported = new Set<number>();
  /** Line starts, for `lineOf`. */
  private positions: Positions | undefined;

  constructor(
    private readonly text: string,
    private readonly shift: number,
    private readonly known: string[] | 'all',
    private readonly problems: YamlProblem[],
  ) {}

  libraryError(reason: string, at: number, warning: boolean): void {
    const tag = /^unknown tag <(.*)>$/.exec(reason);
    if (tag) {
      this.tags.push({ at, tag: tag[1] });
      return;
    }
    if (warning) {
      // The library warns about any tab, some twice; YAML forbids tabs only where they indent (a tab after `key:` is a
      // separator).
      if (!this.indents(at) || this.tabsReported.has(at)) return;
      this.tabsReported.add(at);
      const message = 'a tab indents this line — YAML indents with spaces only; replace the tab with spaces.';
      this.problems.push({ start: at, end: at + 1, error: true, message });
      return;
    }
    // One error a line: the library's recovery (it skips to the end of the line) often reports a second one there.
    const line = this.lineOf(at);
    if (line <= this.quietUntil) return;
    this.quietUntil = line;
    // After an unknown alias the library reads the alias's last character again, and reports the next line.
    if (reason.startsWith('unidentified alias')) this.quietUntil = line + 1;
    this.problems.push({ start: at, end: at + 1, error: true, message: describe(reason) });
  }

  /** Before building: tags in the order of their offsets (the library reports them as it finishes each node). */
  start(): void {
    this.tags.sort((a, b) => a.at - b.at);
  }

  /** After building: tags that no node took are still reported when unknown. */
  finish(): void {
    for (const t of this.tags.slice(this.nextTag)) this.use(t);
  }

  node(n: YAMLNode | null | undefined, depth: number): Node | null {
    // The library marks an empty flow entry (`{a: }`) and an empty document as an empty scalar at offset -1.
    if (!n || n.startPosition < 0) return null;
    if (depth > MAX_DEPTH) {
      const at = this.at(n.startPosition);
      this.problems.push({ start: at, end: at + 1, error: true, message: 'nested too deeply; not read further.' });
      return null;
    }
    const start = this.at(n.startPosition);
    const tag = this.tagBefore(start);
    let out: Node;
    switch (n.kind) {
      case Kind.MAP:
        out = this.map(n, start, tag, depth);
        break;
      case Kind.SEQ:
        out = this.seq(n as YAMLSequence, start, tag, depth);
        break;
      case Kind.ANCHOR_REF: {
        const target = (n as YAMLNode & { value?: YAMLNode }).value;
        // The library's alias starts after `*`. A tag before an alias belongs to no node.
        out = aliasNode(target ? this.anchors.get(target) : undefined, start - 1, this.at(n.endPosition));
        break;
      }
      case Kind.INCLUDE_REF:
        // The library reads `!include` itself and reports no tag: the same as any other tag here.
        if (!tag) this.use({ at: start, tag: '!include' });
        out = this.scalar(n as YAMLScalar, start, '!include', tag || '!include');
        break;
      default:
        out = this.scalar(n as YAMLScalar, start, tag, tag);
    }
    if (n.anchorId !== undefined) this.anchors.set(n, out);
    return out;
  }

  private map(n: YAMLNode, start: number, tag: string | undefined, depth: number): YamlMap {
    const mappings = (n.mappings ?? []) as { key: YAMLNode | null; value: YAMLNode | null }[];
    // One pair per mapping: the array is made at its final size (filled by index, not grown by push).
    const items = new Array<Pair>(mappings.length);
    const out = mapNode(items, tag, start, this.at(n.endPosition));
    // Keys seen, by value (a Map tells `80` from `"80"`); small mappings (most) are searched instead.
    let seen: Map<Scalar['value'], Scalar> | undefined;
    for (let i = 0; i < mappings.length; i++) {
      const key = this.node(mappings[i].key, depth + 1);
      // `key:` with nothing after it: an empty scalar after the colon, as YAML reads it.
      const value = this.node(mappings[i].value, depth + 1) ?? this.empty(key ? key.end : start, ':');
      if (key?.kind === 'scalar') {
        if (key.value === '<<') out.merges = true;
        let first: Scalar | undefined;
        if (i < 16) {
          for (let j = 0; j < i && !first; j++) {
            const k = items[j].key;
            if (k?.kind === 'scalar' && k.value === key.value) first = k;
          }
        } else {
          if (!seen) {
            seen = new Map();
            for (let j = 0; j < i; j++) {
              const k = items[j].key;
              if (k?.kind === 'scalar' && !seen.has(k.value)) seen.set(k.value, k);
            }
          }
          first = seen.get(key.value);
          if (!first) seen.set(key.value, key);
        }
        if (first) this.duplicate(key, first);
      }
      items[i] = { key, value };
    }
    this.close(out);
    return out;
  }

  private duplicate(key: Scalar, first: Scalar): void {
    this.problems.push({
      start: key.start,
      end: key.end,
      error: true,
      message:
        `duplicate key \`${String(key.value)}\` (first on line ${this.lineOf(first.start) + 1}) — the same key twice ` +
        'in one mapping: tools keep one of them silently (or refuse the file).',
    });
  }

  /**
   * Where a collection ends, as the `yaml` package says (its ranges are the ones findings have always carried):
   * a flow collection at its closing bracket; a block one after the line break of its last entry, or, when that
   * entry is empty (`key:`), where it is (or at the next token, when comment lines stand between).
   */
  private close(c: YamlMap | YamlSeq): void {
    const s = this.text;
    const last = c.kind === 'map' ? c.items[c.items.length - 1]?.value : c.items[c.items.length - 1];
    const first = s[c.start];
    if (first === '{' || first === '[') {
      const i = this.skipSpace(last ? last.end : c.start + 1, ',');
      c.end = s[i] === (first === '{' ? '}' : ']') ? i + 1 : Math.max(i, c.start + 1);
      return;
    }
    if (!last) return;
    const end = last.end;
    const lastFirst = s[last.start];
    if ((last.kind === 'map' || last.kind === 'seq') && lastFirst !== '{' && lastFirst !== '[')
      // A block sequence whose last entry is a block mapping takes the comment lines after that mapping.
      c.end = c.kind === 'seq' && last.kind === 'map' ? afterComments(s, last) : end;
    else if (last.kind === 'scalar' && last.start === end && (last.value === null || last.value === '')) {
      // Comment lines after an empty entry belong to it.
      const next = this.skipSpace(end, '');
      c.end = next > end && s.lastIndexOf('#', next - 1) >= end ? next : end;
    } else {
      const nl = s[end - 1] === '\n' ? end - 1 : s.indexOf('\n', end);
      c.end = nl < 0 ? s.length : nl + 1;
    }
  }

  /** The offset of the next character after `at` that is not a space, a line break, a comment or one of `also`. */
  private skipSpace(at: number, also: string): number {
    const s = this.text;
    let i = at;
    for (; i < s.length; i++) {
      const ch = s[i];
      if (ch === '#') {
        const nl = s.indexOf('\n', i);
        if (nl < 0) return s.length;
        i = nl;
      } else if (ch !== ' ' && ch !== '\t' && ch !== '\n' && ch !== '\r' && !also.includes(ch)) break;
    }
    return i;
  }

  /** `resolveTag` decides how the value resolves; `tag` (as the library reports it) is the node's. */
  private scalar(n: YAMLScalar, start: number, resolveTag: string | undefined, tag: string | undefined): Scalar {
    const end = this.at(n.endPosition);
    const raw = n.value ?? '';
    const nodeTag = tag ? shortTag(tag) : undefined;
    // A tag other than YAML's own number, boolean and null tags keeps the text as written; those resolve even quoted text.
    const resolve = !resolveTag || CORE_RESOLVING.has(resolveTag);
    if (n.doubleQuoted || n.singleQuoted) {
      const type = n.doubleQuoted ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE';
      return scalarNode(resolveTag && resolve ? coreScalar(raw) : raw, type, nodeTag, start, end);
    }
    if (!n.plainScalar && BLOCK_INDICATOR.test(n.rawValue ?? '')) {
      // A block scalar ends after the line break of its last line that is not blank.
      let e = end;
      while (e > start && SPACE.test(this.text[e - 1])) e--;
      const nl = this.text.indexOf('\n', e);
      return scalarNode(raw, 'BLOCK', nodeTag, start, nl < 0 ? this.text.length : nl + 1);
    }
    return scalarNode(resolve ? coreScalar(raw) : raw, 'PLAIN', nodeTag, start, end);
  }

  private seq(n: YAMLSequence, start: number, tag: string | undefined, depth: number): YamlSeq {
    const lib = n.items as (YAMLNode | null)[];
    // At least one item per library item: made at that size and filled by index (it grows only for an entry that
    // is only a tag).
    const items = new Array<Node>(lib.length);
    let count = 0;
    const out = seqNode(items, tag, start, this.at(n.endPosition));
    let prev = start;
    for (let k = 0; k <= lib.length; k++) {
      const next = lib[k] && lib[k]!.startPosition >= 0 ? this.at(lib[k]!.startPosition) : undefined;
      // The library drops an entry that is only a tag (`- !GetAZs`): it is an empty scalar with that tag.
      while (this.taggedEmptyEntry(prev, next ?? out.end, next === undefined)) {
        const item = this.empty(this.skipSpace(prev, ''), '-');
        items[count++] = item;
        prev = item.end;
      }
      if (k === lib.length) break;
      // `-` with nothing after it: an empty scalar after the indicator.
      const item = this.node(lib[k], depth + 1) ?? this.empty(this.skipSpace(prev, ','), '-');
      items[count++] = item;
      prev = item.end;
    }
    this.close(out);
    return out;
  }

  /** True when the next tag stands alone after a `-` between `prev` and `limit` (the next entry, or the end). */
  private taggedEmptyEntry(prev: number, limit: number, last: boolean): boolean {
    const t = this.tags[this.nextTag];
    if (!t || t.at >= limit) return false;
    let i = this.skipSpace(prev, '');
    if (this.text[i] !== '-') return false;
    for (i++; i < t.at; i++) if (this.text[i] !== ' ' && this.text[i] !== '\t') return false;
    return last || this.skipProperties(t.at) !== limit;
  }

  /**
   * An empty value whose indicator (`:` or `-`) is at or after `at`: placed after the indicator and the spaces
   * after it, or after a tag written there (`ports: !reset` is the tag's empty text).
   */
  private empty(at: number, indicator: string): Scalar {
    const s = this.text;
    while (s[at] === ' ' || s[at] === '\t') at++;
    if (s[at] === indicator) at++;
    while (s[at] === ' ' || s[at] === '\t') at++;
    const t = this.tags[this.nextTag];
    if (t?.at !== at) return scalarNode(null, 'PLAIN', undefined, at, at);
    this.nextTag++;
    this.use(t);
    let end = at;
    while (end < s.length && !STOP.test(s[end])) end++;
    const core = t.tag.startsWith(CORE) && t.tag !== `${CORE}str`;
    return scalarNode(core ? null : '', 'PLAIN', shortTag(t.tag), end, end);
  }

  /**
   * The tag written before a node that starts at `start`: the next tag not yet placed, when only properties,
   * spaces and comments stand between it and the node. A tag passed over belongs to no node here (an empty
   * sequence entry): it is reported if unknown, and dropped.
   */
  private tagBefore(start: number): string | undefined {
    for (let t = this.tags[this.nextTag]; t && t.at <= start; t = this.tags[this.nextTag]) {
      this.nextTag++;
      this.use(t);
      if (this.skipProperties(t.at) === start) return t.tag;
    }
    return undefined;
  }

  /** Reports a tag the caller does not know (YAML's own `!!` tags and the caller's are read silently). */
  private use(t: { at: number; tag: string }): void {
    if (t.tag.startsWith(CORE) || this.known === 'all' || this.known.includes(t.tag)) return;
    let end = t.at;
    while (end < this.text.length && !STOP.test(this.text[end])) end++;
    const message = `unresolved tag ${t.tag}: its value is read as written.`;
    this.problems.push({ start: t.at, end: Math.max(end, t.at + 1), error: false, message });
  }

  /** The offset after a node's properties (`!tag`, `&anchor`) and the spaces, line breaks and comments after them. */
  private skipProperties(at: number): number {
    const s = this.text;
    let i = at;
    for (;;) {
      while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++;
      if (s[i] === '!' || s[i] === '&') while (i < s.length && !STOP.test(s[i])) i++;
      else if (s[i] === '#') while (i < s.length && s[i] !== '\n') i++;
      else return i;
    }
  }

  /** True when the tab at `at` is in a line's indentation (only spaces and tabs before it, content after it). */
  private indents(at: number): boolean {
    const ls = this.text.lastIndexOf('\n', at - 1) + 1;
    if (!/^[ \t]*$/.test(this.text.slice(ls, at))) return false;
    const rest = /^[ \t]*(.)?/.exec(this.text.slice(at, this.lineEnd(at) + 1));
    return !!rest?.[1] && rest[1] !== '\n' && rest[1] !== '\r' && rest[1] !== '#';
  }

  private lineEnd(at: number): number {
    const nl = this.text.indexOf('\n', at);
    return nl < 0 ? this.text.length : nl;
  }

  private lineOf(at: number): number {
    return (this.positions ??= new Positions(this.text)).position(at).line;
  }


  /** The library's offset → an offset in the text (a leading byte-order mark shifts it; its own '\n' past the end is clipped). */
  private at(pos: number): number {
    return Math.min(Math.max(0, pos) + this.shift, this.text.length);
  }
}

/**
 * The end of a block collection `node` taken over the comment lines after it that are indented at least as far
 * as it (with the blank lines among them), up to the next token; `node.end` when no such comment follows. (So the
 * `yaml` package ends some nodes; ranges in findings stay as they were.)
 */
export function afterComments(text: string, node: { start: number; end: number }): number {
  const e = node.end;
  if (text[e - 1] !== '\n') return e;
  const column = node.start - (text.lastIndexOf('\n', node.start - 1) + 1);
  let comments = false;
  for (let i = e; i < text.length; ) {
    let j = i;
    while (text[j] === ' ' || text[j] === '\t') j++;
    const blank = text[j] === '\n' || text[j] === '\r' || j >= text.length;
    if (!blank && (text[j] !== '#' || j - i < column)) return comments ? j : e;
    comments ||= !blank;
    const nl = text.indexOf('\n', j);
    i = nl < 0 ? text.length : nl + 1;
  }
  return comments ? text.length : e;
}

/** `tag:yaml.org,2002:str` → `!!str`; local tags stay as written. */
function shortTag(tag: string): string {
  return tag.startsWith(CORE) ? `!!${tag.slice(CORE.length)}` : tag;
}

// YAML 1.2 core schema patterns. Module constants: a regular expression literal in a function is a new object each
// time it is evaluated, and coreScalar runs for every plain scalar.
const CORE_TRUE = /^(?:[Tt]rue|TRUE)$/;
const CORE_FALSE = /^(?:[Ff]alse|FALSE)$/;
const CORE_OCT = /^0o[0-7]+$/;
const CORE_INT = /^[-+]?[0-9]+$/;
const CORE_HEX = /^0x[0-9a-fA-F]+$/;
const CORE_INF_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const CORE_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const CORE_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** YAML 1.2 core schema resolution of a plain scalar, as the `yaml` package resolves it (the spec's regular expressions). */
export function coreScalar(s: string): string | number | boolean | null {
  if (s === '' || s === '~' || s === 'null' || s === 'Null' || s === 'NULL') return null;
  if (CORE_TRUE.test(s)) return true;
  if (CORE_FALSE.test(s)) return false;
  const c = s.charCodeAt(0);
  // Numbers start with a digit, a sign or a dot: most text is rejected here without a regular expression.
  if (!(c >= 48 && c <= 57) && c !== 43 && c !== 45 && c !== 46) return s;
  if (CORE_OCT.test(s)) return parseInt(s.slice(2), 8);
  if (CORE_INT.test(s)) return parseInt(s, 10);
  if (CORE_HEX.test(s)) return parseInt(s.slice(2), 16);
  if (CORE_INF_NAN.test(s))
    return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (CORE_EXP.test(s)) return parseFloat(s);
  if (CORE_FLOAT.test(s)) return parseFloat(s);
  return s;
}

/** The library's messages, with a hint for the common cases. */
function describe(reason: string): string {
  if (reason === 'bad indentation of a mapping entry' || reason === 'bad indentation of a sequence entry')
    return `${reason}: it is indented differently from the entries around it.`;
  if (reason.startsWith('unidentified alias')) return `${reason}: no anchor of that name (&name) comes before it.`;
  return reason;
}

/**
 * The same parsed file with an alias budget of its own, as if it had just been parsed: a file kept for later
 * parses (Kubernetes folder manifests) is read the same way each time. The documents are shared, never changed.
 */
export function reread(file: YamlFile): YamlFile {
  const copy = { ...file };
  copy.overBudget = undefined;
  copy.deref = derefWithin(copy);
  return copy;
}

/** `deref` with a budget of alias resolutions that the file's readers share. */
function derefWithin(file: YamlFile): YamlFile['deref'] {
  let aliases = 0;
  return (node) => {
    let n = node as Node | null | undefined;
    for (let depth = 0; n && n.kind === 'alias' && depth < 20; depth++) {
      if (++aliases > MAX_ALIASES) {
        file.overBudget ??= n;
        return undefined;
      }
      n = n.source;
    }
    return n && n.kind !== 'alias' ? n : undefined;
  };
}

/** What reading the parsed file ran into (the alias budget), for the reader to add to its problems when it is done. */
export function readingProblems(file: YamlFile): Finding[] {
  if (!file.overBudget) return [];
  const message = `YAML: aliases expand past ${MAX_ALIASES} resolutions (an alias bomb?); values behind further aliases are not read.`;
  return [{ code: 'PC001', severity: 'warning', range: file.rangeOf(file.overBudget), message }];
}

export const isMap = (n: unknown): n is YamlMap => (n as Node | null | undefined)?.kind === 'map';
export const isSeq = (n: unknown): n is YamlSeq => (n as Node | null | undefined)?.kind === 'seq';
export const isScalar = (n: unknown): n is Scalar => (n as Node | null | undefined)?.kind === 'scalar';
export const isAlias = (n: unknown): n is Alias => (n as Node | null | undefined)?.kind === 'alias';

const keyOf = (n: Node | null): unknown => (n?.kind === 'scalar' ? n.value : n);

/** A mapping's value for a key, following aliases. */
export function get(file: YamlFile, map: unknown, key: string): Node | undefined {
  const m = file.deref(map);
  if (!isMap(m)) return undefined;
  for (const item of mergedItems(file, m)) if (keyOf(item.key) === key) return file.deref(item.value) ?? undefined;
  return undefined;
}

export function pairOf(file: YamlFile, map: unknown, key: string): Pair | undefined {
  const m = file.deref(map);
  if (!isMap(m)) return undefined;
  return mergedItems(file, m).find((item) => keyOf(item.key) === key);
}

/** Items of a mapping, with YAML merge keys (`<<: *base`) expanded after the mapping's own keys. */
export function mergedItems(file: YamlFile, m: YamlMap, depth = 0): Pair[] {
  // Most mappings merge nothing: their own items, as they are.
  if (!m.merges || depth >= 5) return m.items;
  const own: Pair[] = [];
  const merged: Pair[] = [];
  for (const item of m.items) {
    if (keyOf(item.key) === '<<') {
      const v = file.deref(item.value);
      const sources = isSeq(v) ? v.items.map((x) => file.deref(x)) : [v];
      for (const src of sources) if (isMap(src)) merged.push(...mergedItems(file, src, depth + 1));
    } else own.push(item);
  }
  const keys = new Set(own.map((p) => keyOf(p.key)));
  return [...own, ...merged.filter((p) => !keys.has(keyOf(p.key)))];
}

/** A sequence's items, following aliases (read-only: without aliases among them, the sequence's own array). */
export function items(file: YamlFile, node: unknown): readonly Node[] {
  const n = file.deref(node);
  if (!isSeq(n)) return [];
  if (!n.items.some(isAlias)) return n.items;
  const out: Node[] = [];
  for (const x of n.items) {
    const d = file.deref(x);
    if (d) out.push(d);
  }
  return out;
}

export function scalar(file: YamlFile, node: unknown): Scalar | undefined {
  const n = file.deref(node);
  return isScalar(n) ? n : undefined;
}

/** A scalar's value as text ("80", "true"), or undefined for collections and nulls. */
export function text(file: YamlFile, node: unknown): string | undefined {
  const s = scalar(file, node);
  if (!s || s.value === null || s.value === undefined) return undefined;
  return String(s.value);
}

/**
 * Range of the characters of a scalar's value, inside its quotes. `offset`/`length` pick a part of the value
 * (e.g. the host port of "8080:80"); exact for plain and simply quoted scalars, the whole token otherwise.
 */
export function valueRange(file: YamlFile, node: Scalar, offset = 0, length?: number): Range {
  const { start: s, end: e } = node;
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  const start = s + (quoted ? 1 : 0);
  // The length of the value as text (a string's own length: no String() copy for the common case).
  const chars = typeof node.value === 'string' ? node.value.length : String(node.value).length;
  const end = quoted ? e - 1 : e;
  // Escapes or folding make offsets in the value differ from offsets in the source; then mark the whole token.
  if (end - start !== chars) return file.range(s, e);
  return file.range(start + offset, start + offset + (length ?? chars - offset));
}
