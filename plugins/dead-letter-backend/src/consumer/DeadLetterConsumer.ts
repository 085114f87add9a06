import { LoggerService } from '@backstage/backend-plugin-api';
import { EnvironmentStatus } from '@internal/plugin-dead-letter-common';
import {
  AmqpConsumerStatus,
  ReconnectingAmqpConsumer,
  sleepBackoff,
} from '@internal/plugin-lunar-node';
import * as amqp from 'amqplib';
import { BrokerEnvironmentConfig } from '../config';
import { DeadLetterStore, NewDeadLetter } from '../database/DeadLetterStore';
import { AmqpMessage, decodeDeadLetter } from './decode';

/** Finds the squad that owns a service (cached; undefined when unknown). */
export type SquadResolver = (
  services: string[],
) => Promise<Map<string, string | null>>;

interface Pending {
  channel: amqp.Channel;
  message: amqp.ConsumeMessage;
  row: NewDeadLetter;
}

/**
 * Consumes one environment's dead-letter queue into the store.
 *
 * Store first, then ack: deliveries are buffered, inserted in one
 * transaction per batch (duplicates skipped by their dedup key), and only
 * then acknowledged, on the channel that delivered them. When the broker
 * connection drops, unacked deliveries return to the queue and are consumed
 * again after a reconnect with backoff (connection lifecycle, backoff and
 * state: lunar-node's ReconnectingAmqpConsumer). When the database fails, the
 * consumer stops consuming (no nack/requeue loop), retries the held batch
 * with backoff, and resumes once it is stored.
 *
 * Stopping is a cancel, and the cancel waits until no delivery can be on its
 * way: a quorum queue hands the deliveries that reach the channel after a
 * basic.cancel back to the queue (they come again, marked with
 * x-delivery-count). Nothing is in flight once the consumer holds a full
 * prefetch window; until the window is full a paused consumer keeps taking
 * deliveries and holds them unacknowledged.
 */
export class DeadLetterConsumer extends ReconnectingAmqpConsumer {
  private consumerTag?: string;
  private buffer: Pending[] = [];
  /** The batch being stored: held, unacknowledged, out of the buffer. */
  private storing: Pending[] = [];
  /** The database is down: cancel the consumer once nothing is in flight. */
  private cancelWanted = false;
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private stored = 0;

  static fromConfig(
    env: BrokerEnvironmentConfig,
    deps: {
      store: DeadLetterStore;
      logger: LoggerService;
      resolveSquads: SquadResolver;
      errorHeader: string;
      servicePattern: RegExp;
    },
  ) {
    return new DeadLetterConsumer(env, deps);
  }

  private constructor(
    private readonly env: BrokerEnvironmentConfig,
    private readonly deps: {
      store: DeadLetterStore;
      logger: LoggerService;
      resolveSquads: SquadResolver;
      errorHeader: string;
      servicePattern: RegExp;
    },
  ) {
    super({
      url: env.amqp.url,
      connectionName: `backstage-dead-letter-${env.name}`,
      logPrefix: `dead-letter ${env.name}`,
      logger: deps.logger,
    });
  }

  /** Stops consuming and stores what is buffered, before the connection closes. */
  protected async beforeClose(): Promise<void> {
    clearTimeout(this.timer);
    try {
      if (this.channel && this.consumerTag)
        await this.channel.cancel(this.consumerTag);
    } catch {
      /* the channel may be gone already */
    }
    this.scheduleFlush(0);
    await this.flushing;
  }

  status(): Omit<EnvironmentStatus, 'retention' | 'state'> &
    AmqpConsumerStatus {
    return {
      name: this.env.name,
      queue: this.env.amqp.queue,
      ...super.status(),
      stored: this.stored,
      logsUrlTemplate: this.env.logsUrlTemplate,
    };
  }

  protected async declare(
    connection: amqp.ChannelModel,
    channel: amqp.Channel,
  ) {
    await this.ensureQueue(connection);
    await channel.prefetch(this.env.amqp.prefetch);
  }

  /** Declares the queue (durable, quorum) unless it exists or declaring is off. */
  private async ensureQueue(connection: amqp.ChannelModel) {
    const probe = await connection.createChannel();
    probe.on('error', () => {});
    try {
      await probe.checkQueue(this.env.amqp.queue);
      await probe.close();
    } catch (e) {
      if (!this.env.amqp.declareQueue) {
        throw new Error(
          `queue ${this.env.amqp.queue} does not exist (${
            (e as Error).message
          })`,
        );
      }
      const declare = await connection.createChannel();
      await declare.assertQueue(this.env.amqp.queue, {
        durable: true,
        arguments: { 'x-queue-type': 'quorum' },
      });
      await declare.close();
    }
  }

  protected async consume(channel: amqp.Channel) {
    this.consumerTag = await this.consumeQueue(
      channel,
      this.env.amqp.queue,
      message => this.onMessage(channel, message),
    );
    this.cancelWanted = false;
  }

  protected onChannelLost() {
    this.consumerTag = undefined;
    this.cancelWanted = false;
    // Unacked deliveries go back to the queue; the buffer is not ours anymore.
    this.buffer = [];
  }

  private onMessage(channel: amqp.Channel, message: amqp.ConsumeMessage) {
    let row: NewDeadLetter;
    try {
      row = decodeDeadLetter(message as unknown as AmqpMessage, {
        environment: this.env.name,
        errorHeader: this.deps.errorHeader,
        servicePattern: this.deps.servicePattern,
        maxBodyBytes: this.env.maxBodyBytes,
        now: new Date(),
      });
    } catch (e) {
      // decodeDeadLetter does not throw; if it ever does, keep the message
      // in the queue rather than lose it, and say so loudly.
      this.deps.logger.error(
        `dead-letter ${this.env.name}: cannot decode a message: ${e}`,
      );
      return;
    }
    this.buffer.push({ channel, message, row });
    this.scheduleFlush(
      this.buffer.length >= this.env.batchSize ? 0 : this.env.batchWaitMs,
    );
    if (this.cancelWanted) this.cancelWhenIdle(channel);
  }

  /** Deliveries the active consumer holds unacknowledged. */
  private held(): number {
    const tag = this.consumerTag;
    let n = 0;
    for (const p of this.storing) if (p.message.fields.consumerTag === tag) n++;
    for (const p of this.buffer) if (p.message.fields.consumerTag === tag) n++;
    return n;
  }

  /**
   * Cancels the consumer (the database is down) once no delivery can be on
   * its way to it: when it holds a full prefetch window. Until then it keeps
   * taking deliveries into the buffer, unacknowledged. An empty queue is no
   * such moment: a publisher can add a message that is delivered between
   * the check and the cancel, and the queue would hand it back marked as
   * redelivered (and, at a delivery limit, drop it).
   */
  private cancelWhenIdle(channel: amqp.Channel) {
    if (!this.cancelWanted || channel !== this.channel || !this.consumerTag)
      return;
    if (this.held() >= this.env.amqp.prefetch)
      void this.cancelConsumer(channel, this.consumerTag);
  }

  private async cancelConsumer(channel: amqp.Channel, tag: string) {
    this.cancelWanted = false;
    this.consumerTag = undefined;
    await channel.cancel(tag).catch(() => {});
  }

  private scheduleFlush(delayMs: number) {
    if (delayMs === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.flushing = this.flushing.then(() => this.flush());
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flushing = this.flushing.then(() => this.flush());
      }, delayMs);
    }
  }

  private async flush() {
    const batch = this.buffer.splice(0, this.env.batchSize);
    if (batch.length === 0) return;
    this.storing = batch;
    try {
      await this.store(batch);
    } finally {
      this.storing = [];
    }
  }

  private async store(batch: Pending[]) {
    if (this.buffer.length > 0)
      this.scheduleFlush(
        this.buffer.length >= this.env.batchSize ? 0 : this.env.batchWaitMs,
      );
    const channel = batch[0].channel;

    const services = [
      ...new Set(batch.map(p => p.row.service).filter((s): s is string => !!s)),
    ];
    try {
      const squads = await this.deps.resolveSquads(services);
      for (const p of batch)
        p.row.squad = (p.row.service && squads.get(p.row.service)) ?? null;
    } catch (e) {
      this.deps.logger.warn(
        `dead-letter ${this.env.name}: squad lookup failed: ${e}`,
      );
    }

    for (let attempt = 0; ; attempt++) {
      if (channel !== this.channel) return; // redelivered on the new channel
      try {
        const inserted = await this.deps.store.insertBatch(
          batch.map(p => p.row),
        );
        this.stored += inserted;
        break;
      } catch (e) {
        if (attempt === 0) {
          this.state = 'paused';
          this.reason = `database unavailable: ${(e as Error).message}`;
          this.deps.logger.error(
            `dead-letter ${this.env.name}: ${this.reason}; pausing consumption`,
          );
          this.cancelWanted = true;
          this.cancelWhenIdle(channel);
        }
        if (this.stopping) return;
        await sleepBackoff(attempt);
      }
    }

    // Ack only on the channel that delivered, and only if it is still open.
    if (channel === this.channel) {
      try {
        channel.ack(batch[batch.length - 1].message, true);
      } catch (e) {
        this.deps.logger.warn(
          `dead-letter ${this.env.name}: ack failed, messages will be redelivered: ${e}`,
        );
      }
      if (this.stopping) return;
      if (!this.consumerTag) {
        this.deps.logger.info(
          `dead-letter ${this.env.name}: database is back; resuming`,
        );
        await this.consume(channel).catch(e =>
          this.lost(this.connection, `resume failed: ${e}`),
        );
      } else if (this.state === 'paused') {
        // Back before the consumer was cancelled: it never stopped.
        this.cancelWanted = false;
        this.state = 'consuming';
        this.reason = null;
        this.deps.logger.info(
          `dead-letter ${this.env.name}: database is back; consuming`,
        );
      }
    }
  }
}
