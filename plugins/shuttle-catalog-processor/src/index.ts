/**
 * Catalog module that turns each repository's shuttle.yaml into catalog
 * entities.
 *
 * @packageDocumentation
 */
export { catalogModuleShuttle as default } from './module';
