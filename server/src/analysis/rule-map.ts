/** Parsers number rules 0, 1, 2 …; synthetic rules (-1) and hand-made ones may not. */
function smallId(id: number): boolean {
  return id >= 0 && id < 1 << 24 && Number.isInteger(id);
}

/**
 * A map from rule id to a value, read like a Map (get, has, size, forEach, entries in the order first set). Parsers
 * number rules 0, 1, 2 …, so a value sits in a list at its id: no hash table to grow and keep (a 500-service
 * compose file has over a thousand rules with grants, and the exposure and the checks each keep such a map).
 * Ids outside the list (synthetic rules have -1; tests may pick any number) go to a Map. Values are never undefined.
 */
export class RuleMap<V> {
  /** Values by id below `span`; made at its length, so it stays a plain list rather than a dictionary. */
  private readonly byId: (V | undefined)[];
  /** Ids in the order first set. */
  private readonly order: number[] = [];
  private other: Map<number, V> | undefined;

  /** `span`: one more than the largest id expected (larger ids still work, at a Map's cost). */
  constructor(span: number) {
    this.byId = new Array<V | undefined>(span);
  }

  /** One more than the largest id the list holds; a map of the same rules can be made with it. */
  get span(): number {
    return this.byId.length;
  }

  /** The id has a place in the list (else it is in `other`). */
  private listed(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.byId.length;
  }

  set(id: number, value: V): this {
    if (this.listed(id)) {
      if (this.byId[id] === undefined) this.order.push(id);
      this.byId[id] = value;
    } else {
      this.other ??= new Map();
      if (!this.other.has(id)) this.order.push(id);
      this.other.set(id, value);
    }
    return this;
  }

  get(id: number): V | undefined {
    return this.listed(id) ? this.byId[id] : this.other?.get(id);
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  get size(): number {
    return this.order.length;
  }

  forEach(fn: (value: V, id: number) => void): void {
    for (let k = 0; k < this.order.length; k++) fn(this.get(this.order[k])!, this.order[k]);
  }

  *entries(): IterableIterator<[number, V]> {
    for (const id of this.order) yield [id, this.get(id)!];
  }

  *keys(): IterableIterator<number> {
    yield* this.order;
  }

  *values(): IterableIterator<V> {
    for (const id of this.order) yield this.get(id)!;
  }

  [Symbol.iterator](): IterableIterator<[number, V]> {
    return this.entries();
  }
}

/**
 * A set of rule ids, read like a Set (add, has, size, iteration): a bitmap for the ids parsers give rather than a
 * hash table grown entry by entry (the exposure's `considered` and `reached` hold every rule of a file). Iterates in
 * ascending id order, then other ids (synthetic rules have -1) in the order added.
 */
export class RuleIds {
  private seen = new Uint8Array(1024);
  private count = 0;
  private other: Set<number> | undefined;

  add(id: number): this {
    if (!smallId(id)) {
      (this.other ??= new Set()).add(id);
      return this;
    }
    if (id >= this.seen.length) {
      const grown = new Uint8Array(Math.max(id + 1, this.seen.length * 2));
      grown.set(this.seen);
      this.seen = grown;
    }
    if (!this.seen[id]) {
      this.seen[id] = 1;
      this.count++;
    }
    return this;
  }

  has(id: number): boolean {
    return smallId(id) ? id < this.seen.length && this.seen[id] === 1 : (this.other?.has(id) ?? false);
  }

  get size(): number {
    return this.count + (this.other?.size ?? 0);
  }

  *[Symbol.iterator](): IterableIterator<number> {
    for (let id = 0; id < this.seen.length; id++) if (this.seen[id]) yield id;
    if (this.other) yield* this.other;
  }
}
