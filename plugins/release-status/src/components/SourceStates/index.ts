export { SourceStates } from './SourceStates';
