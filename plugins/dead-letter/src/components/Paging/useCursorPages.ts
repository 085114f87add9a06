import { useState } from 'react';

/** No selection; never changed (updates copy it). */
const NONE: ReadonlySet<string> = new Set<string>();
const FIRST = { page: 0, cursors: [undefined] as Array<string | undefined> };

/**
 * Server-side cursor pages with a selection that belongs to the page shown.
 * `key` says what is listed (environment, filter, page size, a reload): a
 * new key starts again at page one with nothing selected. The cursors of
 * visited pages are kept, so going back needs no cursor from the server.
 */
export function useCursorPages(key: string) {
  const [paging, setPaging] = useState({ key, ...FIRST });
  const { page, cursors } = paging.key === key ? paging : FIRST;
  const at = `${key}#${page}`;
  const [picked, setPicked] = useState({ at, ids: NONE });
  const selected = picked.at === at ? picked.ids : NONE;

  return {
    page,
    /** Where the shown page starts (undefined: the first page). */
    cursor: cursors[page],
    selected,
    toggle: (id: string) =>
      setPicked(prev => {
        const next = new Set(prev.at === at ? prev.ids : NONE);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return { at, ids: next };
      }),
    /** Selects exactly `ids` (none when undefined). */
    selectOnly: (ids?: string[]) =>
      setPicked({ at, ids: ids ? new Set(ids) : NONE }),
    /** Shows page `next`; going forward, `nextCursor` is where it starts. */
    goTo: (next: number, nextCursor?: string | null) =>
      setPaging({
        key,
        page: next,
        cursors:
          next > page && nextCursor
            ? [...cursors.slice(0, page + 1), nextCursor]
            : cursors,
      }),
  };
}
