const inFlight = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * The cards of a squad's page ask the same APIs for the same things as
 * they load (the squad's release overview, the dead-letter environments):
 * a request already on its way for the same API and key is shared instead
 * of sent again. Nothing is kept once it settles, so later loads ask anew.
 */
export function shareInFlight<T>(
  api: object,
  key: string,
  load: () => Promise<T>,
): Promise<T> {
  let byKey = inFlight.get(api);
  if (!byKey) {
    byKey = new Map();
    inFlight.set(api, byKey);
  }
  const pending = byKey.get(key) as Promise<T> | undefined;
  if (pending) return pending;
  const requests = byKey;
  const request = load().finally(() => requests.delete(key));
  requests.set(key, request);
  return request;
}
