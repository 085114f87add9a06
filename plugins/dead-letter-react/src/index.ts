/**
 * The dead-letter backend's API client, for the Dead Letter plugin and any
 * other plugin that shows dead letters (e.g. the squad overview).
 *
 * @packageDocumentation
 */
export * from './api';
