import { TablePagination } from '@material-ui/core';
import { useCursorPages } from './useCursorPages';

/** The pager under a cursor-paged table ("1–50 of N", 25/50/100 a page). */
export function CursorPagination(props: {
  pages: ReturnType<typeof useCursorPages>;
  total: number;
  nextCursor?: string | null;
  rowsPerPage: number;
  onRowsPerPage: (rows: number) => void;
}) {
  const { pages, total, nextCursor, rowsPerPage, onRowsPerPage } = props;
  return (
    <TablePagination
      component="div"
      count={total}
      page={pages.page}
      rowsPerPage={rowsPerPage}
      rowsPerPageOptions={[25, 50, 100]}
      onPageChange={(_, next) => pages.goTo(next, nextCursor)}
      onRowsPerPageChange={e => onRowsPerPage(Number(e.target.value))}
    />
  );
}
