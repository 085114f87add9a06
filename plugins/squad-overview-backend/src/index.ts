/**
 * The squad-overview backend: a squad's pulse and its open pull requests.
 *
 * @packageDocumentation
 */
export { squadOverviewPlugin as default } from './plugin';
