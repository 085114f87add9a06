/**
 * Answers of slow lookups (a permission decision, a user's groups) kept
 * for a while, per key, as promises: callers asking at the same time share
 * one lookup. An entry lives for the cache's TTL or the shorter one given
 * with it; a failed lookup is not kept; a full cache starts over (so it
 * stays bounded without bookkeeping).
 */
export class PromiseCache<T> {
  private readonly entries = new Map<
    string,
    { expires: number; value: Promise<T> }
  >();
  private readonly now: () => number;
  private readonly maxEntries: number;

  constructor(
    private readonly ttlMs: number,
    options: { now?: () => number; maxEntries?: number } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /**
   * The kept value for `key`, or `load()`'s, kept for the TTL (or until
   * `expiresAt`, a time in ms, if that is sooner).
   */
  get(key: string, load: () => Promise<T>, expiresAt?: number): Promise<T> {
    const t = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > t) return hit.value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const value = load();
    this.entries.set(key, {
      expires: Math.min(t + this.ttlMs, expiresAt ?? Infinity),
      value,
    });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }
}
