export { ReleasesContent, PendingSummary } from './ReleasesContent';
