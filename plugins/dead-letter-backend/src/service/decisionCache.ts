/**
 * Remembers a person's permission decisions for a few seconds, so clicking
 * through messages asks the permission backend once, not once per message.
 * The decisions are conditional (per squad) and applied to each message
 * afterwards, so one entry serves every message. A user's groups come from
 * their token, which already lives for an hour, so a few seconds add no
 * meaningful delay to a membership change. Failed lookups are not kept.
 */
export class DecisionCache<T> {
  private readonly entries = new Map<
    string,
    { expires: number; value: Promise<T> }
  >();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  /** The cached value for `key`, or `load()`'s, cached for the TTL. */
  get(key: string, load: () => Promise<T>): Promise<T> {
    const t = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > t) return hit.value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const value = load();
    this.entries.set(key, { expires: t + this.ttlMs, value });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }
}
