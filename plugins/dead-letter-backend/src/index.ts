/**
 * Dead-letter backend plugin: stores dead-lettered RabbitMQ messages and
 * lets people list, redeliver and delete them.
 *
 * @packageDocumentation
 */
export { deadLetterPlugin as default } from './plugin';
export {
  deadLetterConditions,
  createDeadLetterConditionalDecision,
  decideForSquadMembers,
  decideForDeadLetters,
  deadLetterPermissionRules,
  deadLetterMessageResourceRef,
} from './permissions';
export type { DeadLetterResource, DeadLetterQuery } from './permissions';
export { readDeadLetterReaders } from './config';
export type { DeadLetterReaders } from './config';
