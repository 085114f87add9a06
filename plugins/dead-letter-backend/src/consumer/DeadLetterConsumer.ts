import { LoggerService } from '@backstage/backend-plugin-api';
import { EnvironmentStatus } from '@internal/plugin-dead-letter-common';
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

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const backoff = (attempt: number) =>
  Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));

/**
 * Consumes one environment's dead-letter queue into the store.
 *
 * Store first, then ack: deliveries are buffered, inserted in one
 * transaction per batch (duplicates skipped by their dedup key), and only
 * then acknowledged, on the channel that delivered them. When the broker
 * connection drops, unacked deliveries return to the queue and are consumed
 * again after a reconnect with backoff. When the database fails, the
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
export class DeadLetterConsumer {
  private connection?: amqp.ChannelModel;
  private channel?: amqp.Channel;
  private consumerTag?: string;
  private buffer: Pending[] = [];
  /** The batch being stored: held, unacknowledged, out of the buffer. */
  private storing: Pending[] = [];
  /** The database is down: cancel the consumer once nothing is in flight. */
  private cancelWanted = false;
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private stopping = false;
  private connecting = false;
  private attempts = 0;
  private state: EnvironmentStatus['state'] = 'stopped';
  private reason: string | null = null;
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
  ) {}

  /** Starts consuming in the background; never throws. */
  start(): void {
    this.stopping = false;
    this.state = 'connecting';
    void this.connectLoop();
  }

  /** Stops consuming, stores what is buffered, and closes the connection. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    try {
      if (this.channel && this.consumerTag)
        await this.channel.cancel(this.consumerTag);
    } catch {
      /* the channel may be gone already */
    }
    this.scheduleFlush(0);
    await this.flushing;
    try {
      await this.connection?.close();
    } catch {
      /* already closed */
    }
    this.state = 'stopped';
    this.reason = null;
  }

  status(): Omit<EnvironmentStatus, 'retention'> {
    return {
      name: this.env.name,
      queue: this.env.amqp.queue,
      state: this.state,
      reason: this.reason,
      stored: this.stored,
      logsUrlTemplate: this.env.logsUrlTemplate,
    };
  }

  /**
   * Connects, retrying with backoff. Only one loop runs at a time: a
   * connection lost while another attempt is under way must not start a
   * second one, or two consumers would share this instance's state and the
   * older one's deliveries would never be acknowledged.
   */
  private async connectLoop() {
    // Already connected (another loop won) or connecting: nothing to do.
    if (this.connecting || this.connection) return;
    this.connecting = true;
    try {
      while (!this.stopping) {
        try {
          await this.connect();
          this.attempts = 0;
          return;
        } catch (e) {
          this.state = 'connecting';
          this.reason = `broker unavailable: ${(e as Error).message}`;
          this.deps.logger.warn(
            `dead-letter ${this.env.name}: ${this.reason}; retrying`,
          );
          await sleep(backoff(this.attempts++));
        }
      }
    } finally {
      this.connecting = false;
    }
  }

  private async connect() {
    const connection = await amqp.connect(this.env.amqp.url, {
      clientProperties: {
        connection_name: `backstage-dead-letter-${this.env.name}`,
      },
    });
    connection.on('error', e =>
      this.deps.logger.warn(
        `dead-letter ${this.env.name}: connection error ${e.message}`,
      ),
    );
    connection.on('close', () => this.onLost(connection, 'connection closed'));
    // A channel call on a connection that closed mid set-up may never
    // settle: race the set-up against the close, so this attempt fails
    // and the loop retries.
    const closed = new Promise<never>((_, reject) =>
      connection.once('close', () =>
        reject(new Error('connection closed during set-up')),
      ),
    );
    closed.catch(() => {});
    try {
      await Promise.race([this.setUp(connection), closed]);
    } catch (e) {
      // Never leave a half-set-up connection open: its deliveries would
      // stay unacknowledged for as long as it lives.
      if (this.connection === connection) {
        this.connection = undefined;
        this.channel = undefined;
        this.consumerTag = undefined;
      }
      await connection.close().catch(() => {});
      throw e;
    }
  }

  private async setUp(connection: amqp.ChannelModel) {
    await this.ensureQueue(connection);
    const channel = await connection.createChannel();
    channel.on('error', e =>
      this.deps.logger.warn(
        `dead-letter ${this.env.name}: channel error ${e.message}`,
      ),
    );
    channel.on('close', () => this.onLost(connection, 'channel closed'));
    await channel.prefetch(this.env.amqp.prefetch);
    if (this.stopping) throw new Error('stopping');
    // Only now is this the connection in use: a drop before this point is
    // this attempt's failure, handled by the connect loop alone.
    this.connection = connection;
    this.channel = channel;
    await this.consume(channel);
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

  private async consume(channel: amqp.Channel) {
    const connection = this.connection;
    const { consumerTag } = await channel.consume(
      this.env.amqp.queue,
      message => {
        if (!message) {
          // The broker cancelled us (queue deleted): reconnect.
          this.onLost(connection, 'consumer cancelled by the broker');
          return;
        }
        this.onMessage(channel, message);
      },
    );
    this.consumerTag = consumerTag;
    this.cancelWanted = false;
    this.state = 'consuming';
    this.reason = null;
  }

  private onLost(connection: amqp.ChannelModel | undefined, why: string) {
    if (this.stopping || !connection || connection !== this.connection) return;
    this.connection = undefined;
    this.channel = undefined;
    this.consumerTag = undefined;
    this.cancelWanted = false;
    // Unacked deliveries go back to the queue; the buffer is not ours anymore.
    this.buffer = [];
    this.state = 'connecting';
    this.reason = `reconnecting: ${why}`;
    connection?.close().catch(() => {});
    this.deps.logger.warn(`dead-letter ${this.env.name}: ${why}; reconnecting`);
    void sleep(backoff(this.attempts++)).then(() => this.connectLoop());
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
        await sleep(backoff(attempt));
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
          this.onLost(this.connection, `resume failed: ${e}`),
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
