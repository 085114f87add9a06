export { DeadLetterPage } from './DeadLetterPage';
export { NoEnvironments } from './NoEnvironments';
