/**
 * One tree for YAML and JSON templates, with offsets on every node, so CloudFormation and ARM readers work
 * the same on either syntax. YAML comes from the `yaml` package, JSON (with comments, as ARM allows) from
 * `jsonc-parser`. CloudFormation's short-form tags (`!Ref X`, `!GetAtt A.B`, `!If […]`) become the long form
 * (`{Ref: X}`, `{Fn::GetAtt: [A, B]}`, `{Fn::If: […]}`), as CloudFormation itself reads them.
 */
import * as jsonc from 'jsonc-parser';
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';

export type DocNode =
  | { type: 'map'; entries: DocEntry[]; start: number; end: number }
  | { type: 'seq'; items: DocNode[]; start: number; end: number }
  | { type: 'scalar'; value: string | number | boolean | null; start: number; end: number };

export interface DocEntry {
  key: string;
  keyStart: number;
  keyEnd: number;
  value: DocNode;
}

export interface DocProblem {
  start: number;
  end: number;
  message: string;
}

const MAX_DEPTH = 500;

export function get(node: DocNode | undefined, key: string): DocNode | undefined {
  if (node?.type !== 'map') return undefined;
  for (const e of node.entries) if (e.key === key) return e.value;
  return undefined;
}

export function getCI(node: DocNode | undefined, key: string): DocNode | undefined {
  if (node?.type !== 'map') return undefined;
  const k = key.toLowerCase();
  for (const e of node.entries) if (e.key.toLowerCase() === k) return e.value;
  return undefined;
}

export function parseYamlDoc(text: string): { root?: DocNode; problems: DocProblem[] } {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const problems: DocProblem[] = doc.errors.map((e) => ({ start: e.pos[0], end: e.pos[1], message: `YAML: ${e.message.split('\n')[0]}` }));
  const root = doc.contents ? fromYaml(doc.contents as YamlNode, 0) : undefined;
  return { root, problems };
}

function fromYaml(n: YamlNode | null | undefined, depth: number): DocNode {
  const [start, , end] = (n?.range ?? [0, 0, 0]) as [number, number, number];
  if (!n || depth > MAX_DEPTH) return { type: 'scalar', value: null, start, end };
  let node: DocNode;
  if (isAlias(n)) node = { type: 'scalar', value: null, start, end };
  else if (isMap(n)) {
    const entries: DocEntry[] = [];
    for (const p of n.items) {
      if (!isPair(p)) continue;
      const k = p.key as YamlNode | null;
      const kr = (k?.range ?? [start, start, start]) as number[];
      entries.push({
        key: isScalar(k) ? String(k.value) : '',
        keyStart: kr[0],
        keyEnd: kr[1],
        value: fromYaml(p.value as YamlNode, depth + 1),
      });
    }
    node = { type: 'map', entries, start, end };
  } else if (isSeq(n)) node = { type: 'seq', items: n.items.map((x) => fromYaml(x as YamlNode, depth + 1)), start, end };
  else if (isScalar(n)) {
    const v = n.value;
    node = {
      type: 'scalar',
      value: typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : v === null ? null : String(v),
      start,
      end: (n.range as number[])[1],
    };
  } else node = { type: 'scalar', value: null, start, end };
  const tag = n.tag;
  return tag && tag.startsWith('!') && !tag.startsWith('!!') ? longForm(tag.slice(1), node) : node;
}

/** `!GetAtt A.B` → {Fn::GetAtt: [A, B]}; `!Ref X` → {Ref: X}; `!Condition C` → {Condition: C}. */
function longForm(name: string, node: DocNode): DocNode {
  let value = node;
  if (name === 'GetAtt' && node.type === 'scalar' && typeof node.value === 'string') {
    const dot = node.value.indexOf('.');
    const parts = dot < 0 ? [node.value] : [node.value.slice(0, dot), node.value.slice(dot + 1)];
    value = {
      type: 'seq',
      items: parts.map((p) => ({ type: 'scalar', value: p, start: node.start, end: node.end })),
      start: node.start,
      end: node.end,
    };
  }
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  return { type: 'map', entries: [{ key, keyStart: node.start, keyEnd: node.start, value }], start: node.start, end: node.end };
}

export function parseJsonDoc(text: string): { root?: DocNode; problems: DocProblem[] } {
  const errors: jsonc.ParseError[] = [];
  // A byte-order mark is not JSON; blank it (same length, so offsets hold).
  const tree = jsonc.parseTree(text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text, errors, {
    allowTrailingComma: true,
    disallowComments: false,
  });
  const problems = errors.map((e) => ({
    start: e.offset,
    end: e.offset + Math.max(1, e.length),
    message: `JSON: ${jsonc.printParseErrorCode(e.error)}`,
  }));
  return { root: tree ? fromJson(tree, 0) : undefined, problems };
}

function fromJson(n: jsonc.Node, depth: number): DocNode {
  const start = n.offset;
  const end = n.offset + n.length;
  if (depth > MAX_DEPTH) return { type: 'scalar', value: null, start, end };
  if (n.type === 'object') {
    const entries: DocEntry[] = [];
    for (const p of n.children ?? []) {
      const [k, v] = p.children ?? [];
      if (!k) continue;
      entries.push({
        key: String(k.value),
        keyStart: k.offset,
        keyEnd: k.offset + k.length,
        value: v ? fromJson(v, depth + 1) : { type: 'scalar', value: null, start: k.offset, end: k.offset },
      });
    }
    return { type: 'map', entries, start, end };
  }
  if (n.type === 'array') return { type: 'seq', items: (n.children ?? []).map((c) => fromJson(c, depth + 1)), start, end };
  return { type: 'scalar', value: n.value ?? null, start, end };
}
