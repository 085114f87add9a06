/**
 * Dead Letter: a page and entity tabs for dead-lettered RabbitMQ messages
 * per environment, squad and service; inspect, redeliver and delete them.
 * Its API client is in `@internal/plugin-dead-letter-react`.
 *
 * @packageDocumentation
 */
export { deadLetterPlugin as default } from './plugin';
