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
  deadLetterPermissionRules,
  deadLetterMessageResourceRef,
} from './permissions';
export type { DeadLetterResource, DeadLetterQuery } from './permissions';
