/**
 * Catalog module that turns each repository's shuttle.yaml into catalog
 * entities.
 *
 * @packageDocumentation
 */
export { catalogModuleShuttle as default } from './module';
export { readShuttleProcessorConfig } from './config';
export type { ShuttleProcessorConfig, PlanMapping } from './config';
export {
  parseShuttleYaml,
  planName,
  ShuttleFileError,
} from './mapping/parseShuttleYaml';
export type { ShuttleFile } from './mapping/parseShuttleYaml';
export { shuttleToEntities, ANNOTATIONS } from './mapping/shuttleToEntities';
export type { RepositoryFacts } from './mapping/shuttleToEntities';
