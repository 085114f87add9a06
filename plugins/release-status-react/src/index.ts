/**
 * The release-status backend's API client and the drift badge, for the
 * release-status plugin and any other plugin that shows release drift
 * (e.g. the squad overview).
 *
 * @packageDocumentation
 */
export * from './api';
export { DriftBadge, useDriftThresholds, useEnvironments } from './DriftBadge';
