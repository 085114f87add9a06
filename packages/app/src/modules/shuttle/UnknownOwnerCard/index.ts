export { UnknownOwnerCard } from './UnknownOwnerCard';
