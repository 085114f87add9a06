export { OwnedEntities } from './OwnedEntities';
