/**
 * Every AMQP header name the plugin reads or writes, in one place.
 */

/** Counts the portal's redeliveries of a message (RabbitMQ 4 ignores client x-death). */
export const REDELIVERY_HEADER = 'x-dead-letter-redeliveries';

/** The stored row a redelivered message came from (also matches basic.return to it). */
export const ROW_HEADER = 'x-dead-letter-id';

/** The redelivery job that published the message. */
export const JOB_HEADER = 'x-dead-letter-redelivery-job';

/**
 * A stable id of this redelivery of this message (the job item's id): the
 * same value when a job publishes an item again after a replica died
 * mid-publish, so consumers can de-duplicate.
 */
export const REDELIVERY_ID_HEADER = 'x-dead-letter-redelivery-id';

/** Headers RabbitMQ writes when dead-lettering; not sent back. */
export const DEATH_HEADERS = /^x-(death|first-death-|last-death-)/;
