/**
 * YAML reading shared by the compose and Kubernetes formats: the `yaml` package's documents with source
 * ranges mapped to LSP positions, its errors turned into findings, and guards for hostile input (size,
 * alias expansion, templates).
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  YAMLMap,
  YAMLSeq,
  type Tags,
  type Document,
  type Node,
  type Pair,
  type Scalar,
} from 'yaml';
import type { Finding } from '../../model/finding';
import type { Range } from '../../model/range';

/** Larger documents are not analysed: the reader says so instead of spending seconds and memory on them. */
export const MAX_YAML_BYTES = 4 * 1024 * 1024;
/** Alias resolutions allowed per file; a billion-laughs document stops here. */
const MAX_ALIASES = 1000;

export interface YamlFile {
  docs: Document.Parsed[];
  problems: Finding[];
  /** Offset → LSP range. */
  range(start: number, end: number): Range;
  rangeOf(node: Node | Pair | null | undefined): Range;
  /** Follows an alias (within the file's budget); other nodes are returned as they are. */
  deref(node: unknown): Node | undefined;
  /** True when the text holds `{{ … }}` template syntax (Helm, Go templates). */
  template: boolean;
}

const TEMPLATE = /\{\{[-\s]?[\s\S]*?\}\}/;

/** `tags`: application tags the caller gives meaning to (compose's `!reset`), read as untagged values instead of warnings. */
export function readYaml(text: string, what: string, tags: string[] = []): YamlFile {
  const lc = new LineCounter();
  const range = (start: number, end: number): Range => {
    const a = lc.linePos(start);
    const b = lc.linePos(Math.max(start, end));
    return { start: { line: a.line - 1, character: a.col - 1 }, end: { line: b.line - 1, character: b.col - 1 } };
  };
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
  const docs = parseAllDocuments(text, {
    lineCounter: lc,
    uniqueKeys: true,
    prettyErrors: false,
    strict: true,
    keepSourceTokens: false,
    ...(tags.length ? { customTags: tags.flatMap(plainTag) } : {}),
  });
  file.docs = Array.isArray(docs) ? docs : [];
  file.rangeOf = (node) => {
    if (!node) return range(0, 0);
    const r = 'range' in node ? node.range : rangeOfPair(node as Pair);
    return r ? range(r[0], r[1]) : range(0, 0);
  };
  file.deref = derefWithin(file);
  if (template) {
    // A template is not YAML until rendered: one note, not a storm of syntax errors.
    const m = TEMPLATE.exec(text)!;
    const bad = file.docs.some((d) => d.errors.length);
    problems.push({
      code: 'PC124',
      severity: 'information',
      range: range(m.index, m.index + m[0].length),
      message: `${what} contains template syntax ({{ … }}): template, not analysed${bad ? '' : ' (the parts outside templates are read as written)'}. Render it (helm template) and check the output.`,
    });
    if (bad) file.docs = [];
    return file;
  }
  for (const d of file.docs) {
    for (const e of [...d.errors, ...d.warnings]) {
      const [s, t] = e.pos;
      problems.push({
        code: 'PC001',
        severity: d.errors.includes(e as never) ? 'error' : 'warning',
        range: range(s, Math.max(t, s + 1)),
        message: `YAML: ${explain(e.code, e.message)}`,
      });
    }
  }
  return file;
}

/**
 * The same parsed file with an alias budget of its own, as if it had just been parsed: a file kept for later
 * parses (Kubernetes folder manifests) is read the same way each time. The documents are shared, never changed.
 */
export function reread(file: YamlFile): YamlFile {
  const copy = { ...file };
  copy.deref = derefWithin(copy);
  return copy;
}

/** `deref` with a budget of alias resolutions that the file's readers share. */
function derefWithin(file: YamlFile): YamlFile['deref'] {
  let aliases = 0;
  return (node) => {
    let n = node as Node | undefined;
    for (let depth = 0; n && isAlias(n) && depth < 20; depth++) {
      if (++aliases > MAX_ALIASES) return undefined;
      n = n.resolve(docOf(file.docs, n)) as Node | undefined;
    }
    return n && isAlias(n) ? undefined : n;
  };
}

/** A tag that leaves the value as the untagged one would be (sequence, mapping or scalar). */
function plainTag(tag: string): Tags {
  return [
    { tag, collection: 'seq', nodeClass: YAMLSeq, default: false, resolve: (x: unknown) => x },
    { tag, collection: 'map', nodeClass: YAMLMap, default: false, resolve: (x: unknown) => x },
    { tag, default: false, resolve: (s: string) => s },
  ] as unknown as Tags;
}

function docOf(docs: Document.Parsed[], node: Node): Document.Parsed {
  const at = node.range?.[0] ?? 0;
  return docs.find((d) => d.range[0] <= at && at <= d.range[2]) ?? docs[0];
}

function rangeOfPair(p: Pair): [number, number] | undefined {
  const k = p.key as Node | null;
  const v = p.value as Node | null;
  const start = k?.range?.[0] ?? v?.range?.[0];
  const end = v?.range?.[1] ?? k?.range?.[1];
  return start === undefined || end === undefined ? undefined : [start, end];
}

/** The library's messages are precise but terse; the first line, with a hint for the common cases. */
function explain(code: string, message: string): string {
  const first = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  if (code === 'TAB_AS_INDENT') return `${first} — YAML indents with spaces only; replace the tab with spaces.`;
  if (code === 'DUPLICATE_KEY')
    return `${first} — the same key twice in one mapping: tools keep one of them silently (or refuse the file).`;
  return first;
}

/** A mapping's value for a key, following aliases. */
export function get(file: YamlFile, map: unknown, key: string): Node | undefined {
  const m = file.deref(map);
  if (!isMap(m)) return undefined;
  for (const item of mergedItems(file, m)) {
    const k = item.key;
    if ((isScalar(k) ? k.value : k) === key) return file.deref(item.value) ?? undefined;
  }
  return undefined;
}

export function pairOf(file: YamlFile, map: unknown, key: string): Pair | undefined {
  const m = file.deref(map);
  if (!isMap(m)) return undefined;
  return mergedItems(file, m).find((item) => (isScalar(item.key) ? item.key.value : item.key) === key);
}

/** Items of a mapping, with YAML merge keys (`<<: *base`) expanded after the mapping's own keys. */
export function mergedItems(file: YamlFile, m: YAMLMap, depth = 0): Pair[] {
  const own: Pair[] = [];
  const merged: Pair[] = [];
  for (const item of m.items as Pair[]) {
    const k = isScalar(item.key) ? item.key.value : item.key;
    if (k === '<<' && depth < 5) {
      const v = file.deref(item.value);
      const sources = isSeq(v) ? v.items.map((x) => file.deref(x)) : [v];
      for (const src of sources) if (isMap(src)) merged.push(...mergedItems(file, src, depth + 1));
    } else own.push(item);
  }
  const keys = new Set(own.map((p) => (isScalar(p.key) ? p.key.value : p.key)));
  return [...own, ...merged.filter((p) => !keys.has(isScalar(p.key) ? p.key.value : p.key))];
}

export function items(file: YamlFile, node: unknown): Node[] {
  const n = file.deref(node);
  return isSeq(n) ? n.items.map((x) => file.deref(x)).filter((x): x is Node => !!x) : [];
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
  const [s, e] = node.range ?? [0, 0];
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  const start = s + (quoted ? 1 : 0);
  const raw = String(node.value);
  const end = quoted ? e - 1 : e;
  // Escapes or folding make offsets in the value differ from offsets in the source; then mark the whole token.
  if (end - start !== raw.length) return file.range(s, e);
  return file.range(start + offset, start + offset + (length ?? raw.length - offset));
}

export { isMap, isScalar, isSeq };
