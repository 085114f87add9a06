/**
 * Types shared by the squad-overview plugins.
 *
 * @packageDocumentation
 */
export * from './types';
