import { LoggerService } from '@backstage/backend-plugin-api';
import { ReconnectingAmqpConsumer } from '@internal/plugin-lunar-node';
import { RELEASE_MANAGER_EVENTS_TOPIC } from '@internal/plugin-lunar-common';
import { EventsService } from '@backstage/plugin-events-node';
import * as amqp from 'amqplib';
import { PulseStore } from '../database/PulseStore';
import { ReleaseEventsConfig } from '../config';
import { decodeReleaseEvent, releaseManagerEventPayload } from './decode';

/**
 * Consumes release-manager's AMQP events into the pulse: its own durable
 * queue bound to release-manager's exchange. Each event is stored before
 * it is acknowledged (storing is idempotent, so a redelivery makes no
 * second entry); when storing fails the connection is closed, the
 * unacknowledged events go back to the queue, and it reconnects later.
 * Each readable event, once acknowledged, is also published on the
 * backend's events service (`RELEASE_MANAGER_EVENTS_TOPIC`), so that
 * release-status recomputes the service without a second broker consumer;
 * a failed publish is logged, never retried (the scheduled refresh covers
 * it).
 * Connection lifecycle, backoff and state: lunar-node's
 * ReconnectingAmqpConsumer.
 */
export class ReleaseEventConsumer extends ReconnectingAmqpConsumer {
  /** Store failures since the last stored event: the reconnect backoff. */
  private failures = 0;

  constructor(
    private readonly config: ReleaseEventsConfig,
    private readonly deps: {
      store: PulseStore;
      logger: LoggerService;
      /** Where readable events are passed on to other plugins. */
      events?: EventsService;
    },
  ) {
    super({
      url: config.url,
      connectionName: 'backstage-squad-pulse',
      logPrefix: 'squad pulse: release events',
      logger: deps.logger,
    });
  }

  protected async declare(
    _connection: amqp.ChannelModel,
    channel: amqp.Channel,
  ) {
    const { exchange, exchangeType, queue, prefetch } = this.config;
    await channel.assertExchange(exchange, exchangeType, { durable: true });
    await channel.assertQueue(queue, { durable: true });
    await channel.bindQueue(queue, exchange, '#');
    await channel.prefetch(prefetch);
  }

  protected async consume(channel: amqp.Channel) {
    const { exchange, queue } = this.config;
    const connection = this.connection;
    await this.consumeQueue(channel, queue, message => {
      void this.handle(connection, channel, message);
    });
    this.deps.logger.info(
      `squad pulse: consuming release events from exchange '${exchange}' through queue '${queue}'`,
    );
  }

  /**
   * A lost connection waits the backoff of the store failures: storing
   * failed, and reconnecting is how the events are retried.
   */
  protected lossBackoffAttempt() {
    return this.failures;
  }

  private async handle(
    connection: amqp.ChannelModel | undefined,
    channel: amqp.Channel,
    message: amqp.ConsumeMessage,
  ) {
    try {
      const event = await decodeReleaseEvent(
        {
          routingKey: message.fields.routingKey,
          type: message.properties.type,
          correlationId: message.properties.correlationId,
          timestamp: message.properties.timestamp,
          body: message.content,
        },
        service => this.deps.store.findService(service),
        new Date(),
      );
      if (event.kind === 'unreadable') {
        this.deps.logger.warn(`squad pulse: ${event.summary}`);
      }
      await this.deps.store.insertEvents([event]);
      this.failures = 0;
      channel.ack(message);
      await this.passOn(event);
    } catch (e) {
      this.failures++;
      // Not acknowledged: closing returns it (and the other unacked
      // events) to the queue; reconnecting later retries them.
      this.deps.logger.error(
        `squad pulse: could not store a release event, reconnecting: ${
          (e as Error).message
        }`,
      );
      await connection?.close().catch(() => {});
    }
  }

  /** Publishes a stored event for other plugins; never throws. */
  private async passOn(
    event: Parameters<typeof releaseManagerEventPayload>[0],
  ) {
    const payload = releaseManagerEventPayload(event);
    if (!payload || !this.deps.events) return;
    try {
      await this.deps.events.publish({
        topic: RELEASE_MANAGER_EVENTS_TOPIC,
        eventPayload: payload,
      });
    } catch (e) {
      this.deps.logger.warn(
        `squad pulse: could not pass on the ${payload.type} event of ${
          payload.service
        }: ${(e as Error).message}`,
      );
    }
  }
}
