/**
 * Release status: a Releases tab and a Release drift card on components,
 * and a Releases page across services. Its API client and the drift badge
 * are in `@internal/plugin-release-status-react`.
 *
 * @packageDocumentation
 */
export { releaseStatusPlugin as default } from './plugin';
