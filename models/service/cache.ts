/**
 * The per-isolate memory of the service: a small least-recently-used map. Workers keep an
 * isolate alive across requests, so results that depend only on a few small request fields
 * (Asimov datasets, inline workspaces' models, result-page analyses) are kept for the next
 * request; the bound keeps a stream of distinct requests from growing memory.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** The cached value, else `make()`'s, kept (a rejected promise is forgotten so the next request retries). */
  getOrSet(key: K, make: () => V): V {
    const known = this.get(key);
    if (known !== undefined) return known;
    const value = make();
    this.set(key, value);
    if (value instanceof Promise) value.catch(() => this.delete(key));
    return value;
  }
}
