import { TableOptions } from '@backstage/core-components';

/** A card's table: dense, no toolbar, paged only past ten rows. */
export function cardTableOptions(rows: number): TableOptions {
  return {
    paging: rows > 10,
    pageSize: 10,
    search: false,
    toolbar: false,
    padding: 'dense',
  };
}
