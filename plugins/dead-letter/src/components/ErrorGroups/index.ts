export { ErrorGroups } from './ErrorGroups';
