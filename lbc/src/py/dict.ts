// dict and set: insertion-ordered, keyed as Python keys them (1, 1n and
// True are one key; tuples by value), with Python's method names, so that a
// translated `d.items()` or `d.setdefault(k, [])` is the same call.
import { hashKey, repr, type Int } from './core.js';
import { KeyError } from './exc.js';

type Pairs<K, V> = Iterable<readonly [K, V] | readonly unknown[]>;

export class PyDict<K = any, V = any> {
  protected readonly m = new Map<unknown, [K, V]>();
  constructor(init?: Pairs<K, V> | PyDict<K, V> | null, kw?: Record<string, V>) {
    if (init) this.update(init);
    if (kw) for (const [k, v] of Object.entries(kw)) this.__setitem__(k as K, v);
  }
  static fromkeys<K, V>(keys: Iterable<K>, value: V = null as V): PyDict<K, V> {
    const d = new PyDict<K, V>();
    for (const k of keys) d.__setitem__(k, value);
    return d;
  }
  get size(): number {
    return this.m.size;
  }
  __len__(): number {
    return this.m.size;
  }
  __contains__(k: K): boolean {
    return this.m.has(hashKey(k));
  }
  has(k: K): boolean {
    return this.m.has(hashKey(k));
  }
  /** dict[k] on a missing key: KeyError, or what a subclass's __missing__ makes */
  __missing__(k: K): V {
    throw new KeyError(k);
  }
  __getitem__(k: K): V {
    const e = this.m.get(hashKey(k));
    return e ? e[1] : this.__missing__(k);
  }
  __setitem__(k: K, v: V): void {
    const h = hashKey(k);
    const e = this.m.get(h);
    if (e) e[1] = v;
    else this.m.set(h, [k, v]);
  }
  __delitem__(k: K): void {
    if (!this.m.delete(hashKey(k))) throw new KeyError(k);
  }
  get(k: K, dflt: V | null = null): V | null {
    const e = this.m.get(hashKey(k));
    return e ? e[1] : dflt;
  }
  setdefault(k: K, dflt: V = null as V): V {
    const e = this.m.get(hashKey(k));
    if (e) return e[1];
    this.m.set(hashKey(k), [k, dflt]);
    return dflt;
  }
  pop(k: K, ...dflt: V[]): V {
    const h = hashKey(k);
    const e = this.m.get(h);
    if (e) {
      this.m.delete(h);
      return e[1];
    }
    if (dflt.length) return dflt[0]!;
    throw new KeyError(k);
  }
  popitem(): readonly [K, V] {
    const last = [...this.m.keys()].pop();
    if (last === undefined && !this.m.size) throw new KeyError('popitem(): dictionary is empty');
    const e = this.m.get(last)!;
    this.m.delete(last);
    return Object.freeze([e[0], e[1]] as const);
  }
  update(other: Pairs<K, V> | PyDict<K, V> | Record<string, V>, kw?: Record<string, V>): void {
    if (other instanceof PyDict) for (const [k, v] of other.m.values()) this.__setitem__(k, v);
    else if (other && typeof other === 'object' && Symbol.iterator in other) for (const [k, v] of other as Pairs<K, V>) this.__setitem__(k as K, v as V);
    else if (other) for (const [k, v] of Object.entries(other)) this.__setitem__(k as K, v as V);
    if (kw) for (const [k, v] of Object.entries(kw)) this.__setitem__(k as K, v);
  }
  clear(): void {
    this.m.clear();
  }
  copy(): PyDict<K, V> {
    return new PyDict(this);
  }
  keys(): K[] {
    return [...this.m.values()].map((e) => e[0]);
  }
  values(): V[] {
    return [...this.m.values()].map((e) => e[1]);
  }
  items(): (readonly [K, V])[] {
    return [...this.m.values()].map((e) => Object.freeze([e[0], e[1]] as const));
  }
  [Symbol.iterator](): Iterator<K> {
    return this.keys()[Symbol.iterator]();
  }
  __eq__(o: unknown): boolean {
    if (!(o instanceof PyDict) || o.size !== this.size) return false;
    for (const [h, [, v]] of this.m) {
      const e = o.m.get(h);
      if (!e || !eqFn(e[1], v)) return false;
    }
    return true;
  }
  __repr__(): string {
    return `{${[...this.m.values()].map(([k, v]) => `${repr(k)}: ${repr(v)}`).join(', ')}}`;
  }
}

let eqFn: (a: unknown, b: unknown) => boolean = (a, b) => a === b;
export function setDictEq(f: (a: unknown, b: unknown) => boolean): void {
  eqFn = f;
}

/** collections.defaultdict */
export class DefaultDict<K = any, V = any> extends PyDict<K, V> {
  constructor(readonly default_factory: (() => V) | null = null, init?: Pairs<K, V> | PyDict<K, V> | null) {
    super(init);
  }
  override __missing__(k: K): V {
    if (!this.default_factory) return super.__missing__(k);
    const v = this.default_factory();
    this.__setitem__(k, v);
    return v;
  }
  override __repr__(): string {
    return `defaultdict(${this.default_factory ? `<class '${this.default_factory.name}'>` : 'None'}, ${super.__repr__()})`;
  }
}

/** collections.Counter */
export class Counter<K = any> extends PyDict<K, Int> {
  constructor(init?: Iterable<K> | null) {
    super();
    if (init) for (const k of init) this.__setitem__(k, (this.get(k) as number ?? 0) + 1);
  }
  override __missing__(): Int {
    return 0;
  }
  most_common(n?: number | null): (readonly [K, Int])[] {
    const all = this.items().sort((a, b) => Number(b[1]) - Number(a[1]));
    return n === undefined || n === null ? all : all.slice(0, n);
  }
  override __repr__(): string {
    return `Counter({${this.most_common().map(([k, v]) => `${repr(k)}: ${repr(v)}`).join(', ')}})`;
  }
}

export class PySet<T = any> {
  private readonly m = new Map<unknown, T>();
  constructor(init?: Iterable<T> | null) {
    if (init) for (const v of init) this.add(v);
  }
  get size(): number {
    return this.m.size;
  }
  __len__(): number {
    return this.m.size;
  }
  has(v: T): boolean {
    return this.m.has(hashKey(v));
  }
  __contains__(v: T): boolean {
    return this.m.has(hashKey(v));
  }
  add(v: T): void {
    const h = hashKey(v);
    if (!this.m.has(h)) this.m.set(h, v);
  }
  discard(v: T): void {
    this.m.delete(hashKey(v));
  }
  remove(v: T): void {
    if (!this.m.delete(hashKey(v))) throw new KeyError(v);
  }
  pop(): T {
    const [h, v] = this.m.entries().next().value ?? [];
    if (h === undefined && !this.m.size) throw new KeyError('pop from an empty set');
    this.m.delete(h);
    return v as T;
  }
  clear(): void {
    this.m.clear();
  }
  update(...others: Iterable<T>[]): void {
    for (const o of others) for (const v of o) this.add(v);
  }
  copy(): PySet<T> {
    return new PySet(this);
  }
  union(...others: Iterable<T>[]): PySet<T> {
    const s = this.copy();
    s.update(...others);
    return s;
  }
  intersection(other: Iterable<T>): PySet<T> {
    const o = other instanceof PySet ? other : new PySet(other);
    return new PySet([...this].filter((v) => o.has(v)));
  }
  difference(other: Iterable<T>): PySet<T> {
    const o = other instanceof PySet ? other : new PySet(other);
    return new PySet([...this].filter((v) => !o.has(v)));
  }
  symmetric_difference(other: Iterable<T>): PySet<T> {
    const o = other instanceof PySet ? other : new PySet(other);
    return new PySet([...this.difference(o), ...o.difference(this)]);
  }
  issubset(other: Iterable<T>): boolean {
    const o = other instanceof PySet ? other : new PySet(other);
    return [...this].every((v) => o.has(v));
  }
  issuperset(other: Iterable<T>): boolean {
    return [...other].every((v) => this.has(v));
  }
  [Symbol.iterator](): Iterator<T> {
    return this.m.values();
  }
  __eq__(o: unknown): boolean {
    return o instanceof PySet && o.size === this.size && this.issubset(o);
  }
  __repr__(): string {
    return this.m.size ? `{${[...this].map(repr).join(', ')}}` : 'set()';
  }
}
