/** Values read from templates: literal data, or an `Unknown` that says what it depends on (never a guess). */
export class Unknown {
  constructor(readonly why: string) {}
}

export type Value = string | number | boolean | null | Value[] | { [key: string]: Value } | Unknown;

/** The first unknown inside a value (lists and maps included), if any. */
export function findUnknown(v: Value): Unknown | undefined {
  if (v instanceof Unknown) return v;
  if (Array.isArray(v)) {
    for (const x of v) {
      const u = findUnknown(x);
      if (u) return u;
    }
  } else if (v && typeof v === 'object') {
    for (const x of Object.values(v)) {
      const u = findUnknown(x);
      if (u) return u;
    }
  }
  return undefined;
}
