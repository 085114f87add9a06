export { SquadsPage } from './SquadsPage';
