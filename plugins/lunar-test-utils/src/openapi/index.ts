export { OpenApiDocument, toJsonSchema, type Operation } from './document';
export {
  HOSTILE_STRINGS,
  fuzzOpenApi,
  seededRandom,
  type FuzzFailure,
  type FuzzOptions,
  type FuzzReport,
} from './fuzz';
export { describeOpenApiDocument, servedOperations } from './checks';
