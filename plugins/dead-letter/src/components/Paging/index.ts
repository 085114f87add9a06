export { CursorPagination } from './CursorPagination';
export { useCursorPages } from './useCursorPages';
