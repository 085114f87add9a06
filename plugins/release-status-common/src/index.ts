/**
 * Types and drift helpers shared by the release-status plugins.
 *
 * @packageDocumentation
 */
export * from './annotations';
export * from './drift';
export * from './permissions';
export * from './releaseLabel';
export * from './types';
