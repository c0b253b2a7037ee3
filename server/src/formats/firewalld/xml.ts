/** A small tolerant XML reader that keeps positions: elements, attributes with value ranges, well-formedness problems. */
import { Positions } from '../positions';
import type { Range } from '../../model/range';

export interface XmlAttr {
  name: string;
  value: string;
  /** Range of the value, without quotes. */
  valueRange: Range;
}

export interface XmlElement {
  name: string;
  attrs: XmlAttr[];
  children: XmlElement[];
  /** From `<` to the end of the start tag (or of the self-closing tag). */
  range: Range;
  /** From `<` of the start tag to `>` of the end tag. */
  fullRange: Range;
  text: string;
}

export interface XmlProblem {
  range: Range;
  message: string;
}

export function attr(e: XmlElement, name: string): XmlAttr | undefined {
  return e.attrs.find((a) => a.name === name);
}

export function parseXml(text: string): { root?: XmlElement; problems: XmlProblem[] } {
  const positions = new Positions(text);
  const rg = (a: number, b: number): Range => positions.range(a, b);
  const problems: XmlProblem[] = [];
  const stack: XmlElement[] = [];
  const stackStart: number[] = [];
  let root: XmlElement | undefined;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  while (i < n) {
    const lt = text.indexOf('<', i);
    if (lt < 0) {
      if (stack.length) stack[stack.length - 1].text += text.slice(i);
      break;
    }
    if (stack.length) stack[stack.length - 1].text += text.slice(i, lt);
    else if (text.slice(i, lt).trim()) problems.push({ range: rg(i, lt), message: 'text outside the root element' });
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      if (end < 0) {
        problems.push({ range: rg(lt, lt + 4), message: 'unterminated comment' });
        break;
      }
      i = end + 3;
      continue;
    }
    if (text.startsWith('<?', lt) || text.startsWith('<!', lt)) {
      const cdata = text.startsWith('<![CDATA[', lt);
      const end = text.indexOf(cdata ? ']]>' : '>', lt);
      if (end < 0) {
        problems.push({ range: rg(lt, lt + 2), message: 'unterminated declaration' });
        break;
      }
      if (cdata && stack.length) stack[stack.length - 1].text += text.slice(lt + 9, end);
      i = end + (cdata ? 3 : 1);
      continue;
    }
    if (text[lt + 1] === '/') {
      const m = /^<\/\s*([\w:.-]+)\s*>/.exec(text.slice(lt, lt + 200));
      if (!m) {
        problems.push({ range: rg(lt, lt + 2), message: 'malformed end tag' });
        i = lt + 2;
        continue;
      }
      const name = m[1];
      const idx = stack.map((e) => e.name).lastIndexOf(name);
      if (idx < 0) problems.push({ range: rg(lt, lt + m[0].length), message: `end tag </${name}> has no matching start tag` });
      else {
        while (stack.length > idx + 1) {
          const open = stack.pop()!;
          stackStart.pop();
          problems.push({ range: open.range, message: `<${open.name}> is not closed` });
        }
        const e = stack.pop()!;
        stackStart.pop();
        e.fullRange = { start: e.range.start, end: positions.position(lt + m[0].length) };
      }
      i = lt + m[0].length;
      continue;
    }
    const nm = /^<([A-Za-z_][\w:.-]*)/.exec(text.slice(lt, lt + 200));
    if (!nm) {
      problems.push({ range: rg(lt, lt + 1), message: 'unexpected `<`' });
      i = lt + 1;
      continue;
    }
    let j = lt + nm[0].length;
    const attrs: XmlAttr[] = [];
    let selfClosing = false;
    let closed = false;
    while (j < n) {
      while (j < n && /\s/.test(text[j])) j++;
      if (text[j] === '>') {
        closed = true;
        j++;
        break;
      }
      if (text[j] === '/' && text[j + 1] === '>') {
        closed = true;
        selfClosing = true;
        j += 2;
        break;
      }
      const am = /^([\w:.-]+)\s*=\s*(["'])/.exec(text.slice(j, j + 200));
      if (!am) {
        problems.push({ range: rg(j, j + 1), message: `malformed attribute in <${nm[1]}>` });
        const gt = text.indexOf('>', j);
        j = gt < 0 ? n : gt;
        continue;
      }
      const vStart = j + am[0].length;
      const vEnd = text.indexOf(am[2], vStart);
      if (vEnd < 0) {
        problems.push({ range: rg(j, j + am[1].length), message: `unterminated attribute value for ${am[1]}` });
        j = n;
        break;
      }
      attrs.push({ name: am[1], value: decode(text.slice(vStart, vEnd)), valueRange: rg(vStart, vEnd) });
      j = vEnd + 1;
    }
    if (!closed) problems.push({ range: rg(lt, Math.min(n, lt + nm[0].length)), message: `tag <${nm[1]}> is not closed with \`>\`` });
    const e: XmlElement = { name: nm[1], attrs, children: [], range: rg(lt, j), fullRange: rg(lt, j), text: '' };
    if (stack.length) stack[stack.length - 1].children.push(e);
    else if (!root) root = e;
    else problems.push({ range: e.range, message: 'a second root element' });
    if (!selfClosing && closed) {
      stack.push(e);
      stackStart.push(lt);
    }
    i = j;
  }
  for (const open of stack) problems.push({ range: open.range, message: `<${open.name}> is not closed` });
  return { root, problems };
}

function decode(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (m, e: string) => {
    const map: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
    if (map[e.toLowerCase()]) return map[e.toLowerCase()];
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return m;
  });
}
