/**
 * Compose variable interpolation (`$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`,
 * `$$`), keeping for every output character the source offset it came from, so positions in the resolved
 * text map back to the file.
 */
export interface Interpolated {
  text: string;
  /**
   * Source offset (in the raw value) of each output character; one more entry for the end. Absent when the
   * value has no `$`: the text is the raw value, each character at its own offset (see sourceOffset).
   */
  map?: number[];
  /** Variables with no value here (neither in the environment file nor a default). */
  unresolved: string[];
  /** Variables whose value came from a default or the `.env` file. */
  used: string[];
}

const VAR = /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** The source offset of output character i (i = text length: the end); undefined beyond it. */
export function sourceOffset(iv: Interpolated, i: number): number | undefined {
  if (iv.map) return iv.map[i];
  return i <= iv.text.length ? i : undefined;
}

/** No variables: one list for every value without `$` (readers never change these lists). */
const NO_NAMES: string[] = [];

export function interpolate(raw: string, env: ReadonlyMap<string, string>): Interpolated {
  // Most values name no variable: nothing to resolve and no offsets to record (a large file has thousands).
  if (!raw.includes('$')) return { text: raw, unresolved: NO_NAMES, used: NO_NAMES };
  let text = '';
  const map: number[] = [];
  const unresolved: string[] = [];
  const used: string[] = [];
  let last = 0;
  const literal = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      text += raw[i];
      map.push(i);
    }
  };
  for (const m of raw.matchAll(VAR)) {
    literal(last, m.index);
    last = m.index + m[0].length;
    if (m[0] === '$$') {
      text += '$';
      map.push(m.index);
      continue;
    }
    const name = m[1] ?? m[4];
    const op = m[2];
    const set = env.get(name);
    let value: string | undefined;
    if (op === ':-') value = set ? set : m[3];
    else if (op === '-') value = set ?? m[3];
    else if (op === ':+') value = set ? m[3] : '';
    else if (op === '+') value = set !== undefined ? m[3] : '';
    else value = set;
    if (value === undefined) {
      unresolved.push(name);
      value = '';
    } else used.push(name);
    // A default may itself hold variables; resolve them once more (compose does the same).
    const inner = value.includes('$') ? interpolate(value, env) : undefined;
    if (inner) unresolved.push(...inner.unresolved);
    for (const ch of inner ? inner.text : value) {
      text += ch;
      map.push(m.index);
    }
  }
  literal(last, raw.length);
  map.push(raw.length);
  return { text, map, unresolved, used };
}

/** Reads a compose `.env` file: KEY=VALUE lines, `#` comments, optional quotes, `export ` prefixes. */
export function parseEnvFile(text: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    let v = m[2];
    if (/^".*"$|^'.*'$/.test(v)) v = v.slice(1, -1);
    else v = v.replace(/\s+#.*$/, '');
    env.set(m[1], v);
  }
  return env;
}
