export { ReleaseDriftCard } from './ReleaseDriftCard';
