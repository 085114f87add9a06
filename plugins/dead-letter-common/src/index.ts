/**
 * Types, permissions and the HTTP API contract shared by the dead-letter
 * plugins. The OpenAPI document is `openapi.yaml` in this package.
 *
 * @packageDocumentation
 */
export * from './permissions';
export * from './types';
export * from './redeliveries';
export * from './errorGroup';
