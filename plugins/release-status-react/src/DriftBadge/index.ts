export { DriftBadge, useDriftThresholds, useEnvironments } from './DriftBadge';
