/**
 * shuttle.yaml and plan.yaml: parsing, and the mapping to catalog entities,
 * for every backend package that reads them (the shuttle catalog module,
 * the scaffolder's check of a generated repository).
 *
 * @packageDocumentation
 */
export { readShuttleProcessorConfig } from './config';
export type { ShuttleProcessorConfig, PlanMapping } from './config';
export {
  parseShuttleYaml,
  parsePlanYaml,
  parseYaml,
  planName,
  planRef,
  yamlTypeOf,
  ShuttleFileError,
} from './mapping/parseShuttleYaml';
export type { ShuttleFile, ShuttlePlanFile } from './mapping/parseShuttleYaml';
export {
  ANNOTATIONS,
  planToEntity,
  shuttleToEntities,
  typeNeedsRepositoryContents,
} from './mapping/shuttleToEntities';
export type { RepositoryFacts } from './mapping/shuttleToEntities';
