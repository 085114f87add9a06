/**
 * Release status backend: release-manager and git drift per component.
 *
 * @packageDocumentation
 */
export { releaseStatusPlugin as default } from './plugin';
