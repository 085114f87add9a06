/**
 * Dead Letter: a page and entity tabs for dead-lettered RabbitMQ messages
 * per environment, squad and service; inspect, redeliver and delete them.
 *
 * @packageDocumentation
 */
export { deadLetterPlugin as default } from './plugin';
export { deadLetterApiRef, DeadLetterClient } from './api';
export type { DeadLetterApi } from './api';
