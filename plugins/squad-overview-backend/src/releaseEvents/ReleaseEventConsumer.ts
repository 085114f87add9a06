import { LoggerService } from '@backstage/backend-plugin-api';
import * as amqp from 'amqplib';
import { PulseStore } from '../database/PulseStore';
import { ReleaseEventsConfig } from '../config';
import { decodeReleaseEvent } from './decode';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const backoff = (attempt: number) => Math.min(30_000, 500 * 2 ** attempt);

/**
 * Consumes release-manager's AMQP events into the pulse: its own durable
 * queue bound to release-manager's exchange. Each event is stored before
 * it is acknowledged (storing is idempotent, so a redelivery makes no
 * second entry); when storing fails the connection is closed, the
 * unacknowledged events go back to the queue, and it reconnects later.
 */
export class ReleaseEventConsumer {
  private connection?: amqp.ChannelModel;
  private stopping = true;
  private connecting = false;
  /** Store failures since the last stored event: the reconnect backoff. */
  private failures = 0;

  constructor(
    private readonly config: ReleaseEventsConfig,
    private readonly deps: { store: PulseStore; logger: LoggerService },
  ) {}

  /** Connects in the background, retrying with backoff; never throws. */
  start() {
    this.stopping = false;
    void this.connectLoop();
  }

  async stop() {
    this.stopping = true;
    const connection = this.connection;
    this.connection = undefined;
    await connection?.close().catch(() => {});
  }

  /** Whether it is connected and consuming (for tests and status). */
  get connected() {
    return !!this.connection;
  }

  private async connectLoop() {
    if (this.connecting || this.connection) return;
    this.connecting = true;
    let attempt = 0;
    try {
      while (!this.stopping) {
        try {
          await this.connect();
          return;
        } catch (e) {
          this.deps.logger.warn(
            `squad pulse: release events broker unavailable: ${
              (e as Error).message
            }; retrying`,
          );
          await sleep(backoff(attempt++));
        }
      }
    } finally {
      this.connecting = false;
    }
  }

  private async connect() {
    const { url, exchange, exchangeType, queue, prefetch } = this.config;
    const connection = await amqp.connect(url);
    connection.on('error', e =>
      this.deps.logger.warn(`squad pulse: AMQP connection error: ${e.message}`),
    );
    connection.on('close', () => this.lost(connection));
    try {
      const channel = await connection.createChannel();
      channel.on('error', e =>
        this.deps.logger.warn(`squad pulse: AMQP channel error: ${e.message}`),
      );
      channel.on('close', () => this.lost(connection));
      await channel.assertExchange(exchange, exchangeType, { durable: true });
      await channel.assertQueue(queue, { durable: true });
      await channel.bindQueue(queue, exchange, '#');
      await channel.prefetch(prefetch);
      if (this.stopping) {
        await connection.close().catch(() => {});
        return;
      }
      this.connection = connection;
      await channel.consume(queue, message => {
        if (!message) {
          this.lost(connection);
          return;
        }
        void this.handle(connection, channel, message);
      });
      this.deps.logger.info(
        `squad pulse: consuming release events from exchange '${exchange}' through queue '${queue}'`,
      );
    } catch (e) {
      if (this.connection === connection) this.connection = undefined;
      await connection.close().catch(() => {});
      throw e;
    }
  }

  private async handle(
    connection: amqp.ChannelModel,
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
    } catch (e) {
      this.failures++;
      // Not acknowledged: closing returns it (and the other unacked
      // events) to the queue; reconnecting later retries them.
      this.deps.logger.error(
        `squad pulse: could not store a release event, reconnecting: ${
          (e as Error).message
        }`,
      );
      await connection.close().catch(() => {});
    }
  }

  private lost(connection: amqp.ChannelModel) {
    if (this.stopping || connection !== this.connection) return;
    this.connection = undefined;
    // A channel that closed (or a cancelled consumer) leaves the
    // connection open: close it, so its unacked events return now.
    void connection.close().catch(() => {});
    void sleep(backoff(this.failures)).then(() => this.connectLoop());
  }
}
