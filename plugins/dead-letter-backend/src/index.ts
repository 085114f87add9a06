/**
 * Dead-letter backend plugin: stores dead-lettered RabbitMQ messages and
 * lets people list, redeliver and delete them.
 *
 * @packageDocumentation
 */
export { deadLetterPlugin as default } from './plugin';
