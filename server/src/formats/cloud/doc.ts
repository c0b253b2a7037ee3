/**
 * One tree for YAML and JSON templates, with offsets on every node, so CloudFormation and ARM readers work
 * the same on either syntax. YAML comes from formats/yaml/document.ts, JSON (with comments, as ARM allows) from
 * `jsonc-parser`. CloudFormation's short-form tags (`!Ref X`, `!GetAtt A.B`, `!If […]`) become the long form
 * (`{Ref: X}`, `{Fn::GetAtt: [A, B]}`, `{Fn::If: […]}`), as CloudFormation itself reads them.
 */
import * as jsonc from 'jsonc-parser';
import { afterComments, parseYaml, type Node as YamlNode } from '../yaml/document';

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
  const { docs, problems: all } = parseYaml(text, 'all');
  const problems: DocProblem[] = all.filter((p) => p.error).map((p) => ({ start: p.start, end: p.end, message: `YAML: ${p.message}` }));
  const second = docs[1]?.contents;
  if (second)
    problems.push({
      start: second.start,
      end: second.start + 1,
      message: 'YAML: a template is one document; this one and those after it are not read.',
    });
  const root = docs[0]?.contents ? fromYaml(text, docs[0].contents, 0) : undefined;
  return { root, problems };
}

/**
 * Where a node ends for the readers here (the `yaml` package's node end, so ranges stay as they were): a flow
 * collection or an alias after the rest of its line; a block collection after its last line, and over the comment
 * lines indented at least as far as it (and the blank lines among them) up to the next token. Inside a flow
 * collection, a node ends where it ends.
 */
function endOf(text: string, n: YamlNode, inFlow: boolean): number {
  const e = n.end;
  if (n.kind === 'scalar' || inFlow) return e;
  if (n.kind === 'alias' || text[n.start] === '{' || text[n.start] === '[') {
    const nl = text.indexOf('\n', e);
    return nl < 0 ? text.length : nl + 1;
  }
  return afterComments(text, n);
}

function fromYaml(text: string, n: YamlNode | null | undefined, depth: number, inFlow = false): DocNode {
  const start = n?.start ?? 0;
  const end = n ? endOf(text, n, inFlow) : 0;
  const flow = inFlow || text[start] === '{' || text[start] === '[';
  if (!n || depth > MAX_DEPTH) return { type: 'scalar', value: null, start, end };
  let node: DocNode;
  if (n.kind === 'alias') node = { type: 'scalar', value: null, start, end };
  else if (n.kind === 'map') {
    const entries: DocEntry[] = [];
    for (const p of n.items) {
      const k = p.key;
      entries.push({
        key: k?.kind === 'scalar' ? String(k.value) : '',
        keyStart: k?.start ?? start,
        keyEnd: k?.end ?? start,
        value: fromYaml(text, p.value, depth + 1, flow),
      });
    }
    node = { type: 'map', entries, start, end };
  } else if (n.kind === 'seq') node = { type: 'seq', items: n.items.map((x) => fromYaml(text, x, depth + 1, flow)), start, end };
  else node = { type: 'scalar', value: n.value, start, end };
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
