import { LoggerService } from '@backstage/backend-plugin-api';
import * as amqp from 'amqplib';
import { sleepBackoff } from './backoff';

/**
 * Where a broker consumer is: `connecting` (or reconnecting, with the
 * reason), `consuming`, `paused` (connected but holding back, e.g. while its
 * database is down) or `stopped`.
 */
export type AmqpConsumerState =
  | 'connecting'
  | 'consuming'
  | 'paused'
  | 'stopped';

/** A broker consumer's state and why it is not consuming (null when it is). */
export interface AmqpConsumerStatus {
  state: AmqpConsumerState;
  reason: string | null;
}

/** What every reconnecting consumer is given. */
export interface ReconnectingAmqpConsumerOptions {
  /** The broker's AMQP URL. */
  url: string;
  /** The name the broker lists the connection under (client property `connection_name`). */
  connectionName: string;
  /** Starts every log line, e.g. `dead-letter dev`. */
  logPrefix: string;
  logger: LoggerService;
}

/**
 * The connection lifecycle of a long-running AMQP consumer: connect in the
 * background, retry with the one backoff policy (`backoffDelay`), reconnect when the
 * connection, the channel or the consumer is lost, and report one
 * {@link AmqpConsumerStatus}.
 *
 * A subclass declares its topology and starts consuming in
 * {@link ReconnectingAmqpConsumer.setUp}, and forgets what belonged to a
 * lost channel in {@link ReconnectingAmqpConsumer.onChannelLost}. What to
 * do with a delivery (store, ack, pause) stays in the subclass.
 */
export abstract class ReconnectingAmqpConsumer {
  /** The connection in use: set once set-up is complete, cleared when lost. */
  protected connection?: amqp.ChannelModel;
  /** The channel in use, on {@link ReconnectingAmqpConsumer.connection}. */
  protected channel?: amqp.Channel;
  protected stopping = false;
  protected state: AmqpConsumerState = 'stopped';
  protected reason: string | null = null;
  /** Failed connects and lost connections since the last connect. */
  private attempts = 0;
  private connecting = false;

  protected constructor(
    private readonly connectionOptions: ReconnectingAmqpConsumerOptions,
  ) {}

  /** Starts connecting in the background; never throws. */
  start(): void {
    this.stopping = false;
    this.state = 'connecting';
    void this.connectLoop();
  }

  /**
   * Stops: runs {@link ReconnectingAmqpConsumer.beforeClose} (a subclass
   * cancels its consumer and finishes its work there), then closes the
   * connection.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.beforeClose();
    const connection = this.connection;
    this.connection = undefined;
    this.channel = undefined;
    await connection?.close().catch(() => {
      /* already closed */
    });
    this.state = 'stopped';
    this.reason = null;
  }

  /** The consumer's state and reason. */
  status(): AmqpConsumerStatus {
    return { state: this.state, reason: this.reason };
  }

  /**
   * Declares what the consumer needs on `channel` (queues, bindings,
   * prefetch), the first step of every connect.
   */
  protected abstract declare(
    connection: amqp.ChannelModel,
    channel: amqp.Channel,
  ): Promise<void>;

  /**
   * Starts consuming on the channel in use, usually with
   * {@link ReconnectingAmqpConsumer.consumeQueue}. Also called by a
   * subclass to resume after it cancelled its consumer.
   */
  protected abstract consume(channel: amqp.Channel): Promise<void>;

  /** Forgets what belonged to a lost channel (its deliveries return to the queue). */
  protected onChannelLost(): void {}

  /** Work to finish before the connection closes on stop. */
  protected async beforeClose(): Promise<void> {}

  /**
   * The attempt whose backoff is waited before reconnecting after a loss.
   * By default the failures since the last connect; a consumer that closes
   * its connection on purpose to retry its own work can count those
   * failures instead.
   */
  protected lossBackoffAttempt(): number {
    return this.attempts++;
  }

  /**
   * Consumes `queue` on `channel`; a consumer cancelled by the broker (the
   * queue was deleted) counts as a lost connection. Returns the consumer
   * tag; the state is `consuming` once it resolves.
   */
  protected async consumeQueue(
    channel: amqp.Channel,
    queue: string,
    onMessage: (message: amqp.ConsumeMessage) => void,
  ): Promise<string> {
    const connection = this.connection;
    const { consumerTag } = await channel.consume(queue, message => {
      if (!message) {
        this.lost(connection, 'consumer cancelled by the broker');
        return;
      }
      onMessage(message);
    });
    this.state = 'consuming';
    this.reason = null;
    return consumerTag;
  }

  /**
   * The connection is gone (or must be dropped): forget it, close it (so
   * its unacknowledged deliveries return to the queue) and reconnect after
   * the backoff. Ignored for a connection that is no longer the one in use.
   */
  protected lost(connection: amqp.ChannelModel | undefined, why: string) {
    if (this.stopping || !connection || connection !== this.connection) return;
    this.connection = undefined;
    this.channel = undefined;
    this.onChannelLost();
    this.state = 'connecting';
    this.reason = `reconnecting: ${why}`;
    connection.close().catch(() => {});
    this.log().warn(
      `${this.connectionOptions.logPrefix}: ${why}; reconnecting`,
    );
    void sleepBackoff(this.lossBackoffAttempt()).then(() => this.connectLoop());
  }

  private log() {
    return this.connectionOptions.logger;
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
          if (this.stopping) return;
          this.state = 'connecting';
          this.reason = `broker unavailable: ${(e as Error).message}`;
          this.log().warn(
            `${this.connectionOptions.logPrefix}: ${this.reason}; retrying`,
          );
          await sleepBackoff(this.attempts++);
        }
      }
    } finally {
      this.connecting = false;
    }
  }

  private async connect() {
    const { url, connectionName, logPrefix } = this.connectionOptions;
    const connection = await amqp.connect(url, {
      clientProperties: { connection_name: connectionName },
    });
    connection.on('error', e =>
      this.log().warn(`${logPrefix}: connection error ${e.message}`),
    );
    connection.on('close', () => this.lost(connection, 'connection closed'));
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
        this.onChannelLost();
      }
      await connection.close().catch(() => {});
      throw e;
    }
  }

  private async setUp(connection: amqp.ChannelModel) {
    const { logPrefix } = this.connectionOptions;
    const channel = await connection.createChannel();
    channel.on('error', e =>
      this.log().warn(`${logPrefix}: channel error ${e.message}`),
    );
    channel.on('close', () => this.lost(connection, 'channel closed'));
    await this.declare(connection, channel);
    if (this.stopping) throw new Error('stopping');
    // Only now is this the connection in use: a drop before this point is
    // this attempt's failure, handled by the connect loop alone.
    this.connection = connection;
    this.channel = channel;
    await this.consume(channel);
  }
}
