/**
 * Lunar's shared vocabulary: the names every Lunar plugin, frontend and
 * backend, must spell the same way.
 *
 * @packageDocumentation
 */
export { LUNAR_ANNOTATIONS } from './annotations';
export type { LunarAnnotation } from './annotations';
export {
  SQUAD_GROUP_PREFIX,
  squadGroupName,
  squadGroupRef,
  squadShortName,
} from './squads';
export { parseEntityRefParameter } from './entityRefs';
export {
  isDeadLetterAlertFloor,
  isDeadLetterAlertMultiplier,
  isDeadLetterAlertTime,
} from './deadLetterAlerts';
export {
  RELEASE_MANAGER_EVENTS_TOPIC,
  readReleaseManagerEventPayload,
} from './releaseEvents';
export type {
  ReleaseManagerEventPayload,
  ReleaseManagerEventType,
} from './releaseEvents';
