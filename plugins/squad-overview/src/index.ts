/**
 * Squad overview: the Squads page and a squad's overview card with its
 * services, dead letters and release drift.
 *
 * @packageDocumentation
 */
export { squadOverviewPlugin as default } from './plugin';
