export { RedeliveriesTable } from './RedeliveriesTable';
