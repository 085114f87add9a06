/**
 * Scaffolder actions for Lunar's software templates, and the catalog module
 * that lets them register local files.
 *
 * @packageDocumentation
 */
export {
  scaffolderModuleLunar as default,
  catalogModuleLunarFileLocations,
} from './module';
export { readLunarScaffolderConfig } from './config';
export type { LunarScaffolderConfig } from './config';
export { createValidateNameAction } from './actions/validateName';
export { createPublishLocalAction } from './actions/publishLocal';
export { createRegisterFileAction } from './actions/registerFile';
export { createValidateShuttleAction } from './actions/validateShuttle';
export { createRefreshReleaseStatusAction } from './actions/refreshReleaseStatus';
