import { LoggerService } from '@backstage/backend-plugin-api';
import * as amqp from 'amqplib';
import { RedeliverableDeadLetter } from '../database/DeadLetterStore';
import {
  DEATH_HEADERS,
  JOB_HEADER,
  REDELIVERY_HEADER,
  REDELIVERY_ID_HEADER,
  ROW_HEADER,
} from './headers';
import { SOCKET_WRITE_BUFFER_BYTES, coalesceWrites } from './socketWrites';

/**
 * The longest a spoiled channel (see `spoil`) stays open waiting for the
 * confirms of the messages sent before; it closes as soon as they are in.
 */
const SPOILED_CLOSE_MAX_MS = 60_000;

/** Why a message was not redelivered; stable, so failures can be counted per reason. */
export type RedeliveryFailureReason =
  | 'unknown-exchange'
  | 'truncated'
  | 'exchange-missing'
  | 'unroutable'
  | 'refused'
  | 'gone'
  | 'broker-error';

/**
 * What became of one publish: `confirmed` (the broker routed it and
 * confirmed it), `failed` (it was not, and will not be without a change),
 * or `unknown` (the channel or connection was lost before the confirm: it
 * may or may not have reached a queue; safe to publish again).
 */
export type PublishOutcome =
  | { status: 'confirmed' }
  | { status: 'failed'; reason: RedeliveryFailureReason; detail: string }
  | {
      status: 'unknown';
      detail: string;
      /** False when nothing went out (no connection, channel already closed). */
      sent: boolean;
    };

/** One message to publish again, and which job item publishes it. */
export interface OutgoingRedelivery {
  row: RedeliverableDeadLetter;
  /** The job (header JOB_HEADER). */
  jobId?: string;
  /** The stable redelivery id (header REDELIVERY_ID_HEADER). */
  redeliveryId?: string;
}

/**
 * Sets an own property, also for the key `__proto__` (which an assignment
 * would take as the prototype). Tables stay plain objects: amqplib calls
 * their methods while encoding.
 */
function setOwn(target: Record<string, unknown>, key: string, value: unknown) {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}

/** Undoes toJsonSafe for values AMQP needs as bytes. */
function fromJsonSafe(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromJsonSafe);
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    const keys = Object.keys(v);
    if (keys.length === 1 && typeof v.$base64 === 'string') {
      return Buffer.from(v.$base64, 'base64');
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) setOwn(out, k, fromJsonSafe(v[k]));
    return out;
  }
  return value;
}

/**
 * The publish options that reproduce a stored message's properties
 * (built field by field: this runs for every message of a redelivery).
 */
export function publishOptions(
  message: OutgoingRedelivery,
): amqp.Options.Publish {
  const { row } = message;
  const p = row.properties as Record<string, any>;
  const stored = row.headers as Record<string, unknown>;
  // The death headers are the broker's to write; they are left out before
  // anything is converted.
  const headers: Record<string, unknown> = {};
  for (const k of Object.keys(stored)) {
    if (!DEATH_HEADERS.test(k)) setOwn(headers, k, fromJsonSafe(stored[k]));
  }
  headers[REDELIVERY_HEADER] = row.redeliveryCount + 1;
  headers[ROW_HEADER] = row.id;
  if (message.jobId) headers[JOB_HEADER] = message.jobId;
  if (message.redeliveryId)
    headers[REDELIVERY_ID_HEADER] = message.redeliveryId;
  const options: amqp.Options.Publish = { mandatory: true, headers };
  if (p.contentType) options.contentType = p.contentType;
  if (p.contentEncoding) options.contentEncoding = p.contentEncoding;
  if (p.deliveryMode) options.deliveryMode = p.deliveryMode;
  if (p.priority !== undefined && p.priority !== null)
    options.priority = p.priority;
  if (p.correlationId) options.correlationId = p.correlationId;
  if (p.replyTo) options.replyTo = p.replyTo;
  if (p.expiration) options.expiration = p.expiration;
  if (p.messageId) options.messageId = p.messageId;
  if (p.timestamp) options.timestamp = p.timestamp;
  if (p.type) options.type = p.type;
  if (p.appId) options.appId = p.appId;
  // userId is checked against the publishing user; not reproduced.
  return options;
}

/** Why a stored row cannot be redelivered at all, else undefined. */
export function unpublishable(
  row: RedeliverableDeadLetter,
): Extract<PublishOutcome, { status: 'failed' }> | undefined {
  if (row.exchange === null) {
    return {
      status: 'failed',
      reason: 'unknown-exchange',
      detail: 'the original exchange is unknown (no x-death header)',
    };
  }
  if (row.bodyTruncated) {
    return {
      status: 'failed',
      reason: 'truncated',
      detail:
        'the body was larger than the storage limit and was cut; not redelivered',
    };
  }
  return undefined;
}

/**
 * Whether the broker has the exchange or queue: a passive check on a
 * throwaway channel (a failed check closes its channel). Throws when the
 * broker answers anything but "not found".
 */
async function brokerHas(
  connection: amqp.ChannelModel,
  kind: 'exchange' | 'queue',
  name: string,
): Promise<boolean> {
  const probe = await connection.createChannel();
  probe.on('error', () => {});
  try {
    if (kind === 'exchange') await probe.checkExchange(name);
    else await probe.checkQueue(name);
    await probe.close().catch(() => {});
    return true;
  } catch (e) {
    if (/NOT_FOUND|404/.test((e as Error).message)) return false;
    throw e;
  }
}

/** How long an exchange found to exist is not checked again. */
const EXCHANGE_CHECK_TTL_MS = 10_000;

/**
 * Publishes stored messages back to the exchange and routing key they were
 * first published to, on one long-lived confirm channel per environment:
 * `mandatory` plus publisher confirms, so a message counts as redelivered
 * only once the broker routed it (a basic.return makes it `unroutable`) and
 * confirmed it. A lost connection or channel is opened again by the next
 * publish; publishes in flight when it was lost are `unknown`.
 *
 * A publish to an exchange that does not exist would close the channel
 * (and with it every publish in flight), so exchanges are checked first,
 * on a throwaway channel.
 */
export class RedeliveryPublisher {
  private channel?: Promise<amqp.ConfirmChannel>;
  /** The turn of the batch sending now (see `publish`). */
  private sending: Promise<void> = Promise.resolve();
  /**
   * Channels a message could not be encoded on: amqplib had queued its
   * confirm already, so later confirms would answer the wrong messages.
   * Nothing more is sent on them.
   */
  private readonly spoiled = new WeakSet<amqp.ConfirmChannel>();
  /** Sent messages whose confirm has not come yet, per channel. */
  private readonly unconfirmed = new WeakMap<
    amqp.ConfirmChannel,
    Set<Promise<PublishOutcome>>
  >();
  private connection?: amqp.ChannelModel;
  /** basic.return reasons by row id; a return precedes its confirm. */
  private readonly returned = new Map<string, string>();
  private readonly exchangesSeen = new Map<string, number>();
  /** Since when, and why, the broker could not be reached (cleared on success). */
  unreachable?: { since: number; error: string };

  constructor(
    private readonly options: {
      environment: string;
      url: string;
      logger: LoggerService;
    },
  ) {}

  /** Publishes the messages concurrently; one outcome each, in order. */
  async publish(messages: OutgoingRedelivery[]): Promise<PublishOutcome[]> {
    const outcomes: Array<PublishOutcome | undefined> = messages.map(m =>
      unpublishable(m.row),
    );
    if (outcomes.every(o => o)) return outcomes as PublishOutcome[];
    // One batch sends at a time, in the order publish was called: a later
    // batch never overtakes one still opening the channel or checking its
    // exchanges. Confirms are awaited outside the turn.
    const turn = this.sending;
    let endTurn = () => {};
    this.sending = new Promise<void>(r => (endTurn = r));
    await turn;
    try {
      return Promise.all(await this.send(messages, outcomes));
    } finally {
      endTurn();
    }
  }

  /** Sends a batch (in `publish`'s turn); the promises await the confirms. */
  private async send(
    messages: OutgoingRedelivery[],
    outcomes: Array<PublishOutcome | undefined>,
  ): Promise<Array<PublishOutcome | Promise<PublishOutcome>>> {
    let channel: amqp.ConfirmChannel;
    let missing: Set<string>;
    try {
      channel = await this.open();
      this.unreachable = undefined;
      missing = await this.missingExchanges(
        messages.filter((_, i) => !outcomes[i]).map(m => m.row.exchange!),
      );
    } catch (e) {
      this.unreachable ??= { since: Date.now(), error: (e as Error).message };
      return outcomes.map(
        o =>
          o ?? {
            status: 'unknown',
            detail: `broker unavailable: ${(e as Error).message}`,
            sent: false,
          },
      );
    }
    // The batch's frames reach the socket as one write (see coalesceWrites).
    if (this.connection) coalesceWrites(this.connection);
    return messages.map((message, i) => {
      const known = outcomes[i];
      if (known) return known;
      const { row } = message;
      if (missing.has(row.exchange!)) {
        return {
          status: 'failed',
          reason: 'exchange-missing',
          detail: `the exchange '${row.exchange}' does not exist`,
        } as const;
      }
      return this.publishOne(channel, message);
    });
  }

  /**
   * Which of `exchanges` and `queues` (names on the default exchange) do
   * not exist, by passive declares on throwaway channels of this
   * environment's connection (a failed check closes its channel). Gives
   * up after `timeoutMs` in all: then `unreachable` says why, and nothing
   * is known. Bindings cannot be checked over AMQP.
   */
  async checkTargets(
    targets: { exchanges: string[]; queues: string[] },
    timeoutMs: number,
  ): Promise<
    | {
        missingExchanges: Set<string>;
        missingQueues: Set<string>;
        /** Targets the broker would not say about (e.g. ACCESS_REFUSED), and why. */
        unchecked: Map<string, string>;
      }
    | { unreachable: string }
  > {
    /** Set once the caller stopped waiting: no more probes. */
    let givenUp = false;
    const check = async () => {
      await this.open();
      const connection = this.connection;
      if (!connection) throw new Error('the connection closed');
      const unchecked = new Map<string, string>();
      /** true or false, or undefined when the broker refused to say. */
      const exists = async (kind: 'exchange' | 'queue', name: string) => {
        try {
          return await brokerHas(connection, kind, name);
        } catch (e) {
          // The connection itself is gone: nothing can be checked.
          if (connection !== this.connection) throw e;
          unchecked.set(name, (e as Error).message);
          return undefined;
        }
      };
      const missingExchanges = new Set<string>();
      const missingQueues = new Set<string>();
      for (const name of new Set(targets.exchanges)) {
        if (givenUp) break;
        if (name !== '' && (await exists('exchange', name)) === false)
          missingExchanges.add(name);
      }
      for (const name of new Set(targets.queues)) {
        if (givenUp) break;
        if ((await exists('queue', name)) === false) missingQueues.add(name);
      }
      return { missingExchanges, missingQueues, unchecked };
    };
    let timer: NodeJS.Timeout | undefined;
    const checking = check();
    checking.catch(() => {});
    try {
      return await Promise.race([
        checking,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } catch (e) {
      return { unreachable: (e as Error).message };
    } finally {
      givenUp = true;
      clearTimeout(timer);
    }
  }

  /** Closes the connection; a later publish opens a new one. */
  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.channel = undefined;
    await connection?.close().catch(() => {});
  }

  private publishOne(
    channel: amqp.ConfirmChannel,
    message: OutgoingRedelivery,
  ): Promise<PublishOutcome> {
    const { row } = message;
    if (this.spoiled.has(channel)) {
      return Promise.resolve({
        status: 'unknown',
        detail: 'not sent: a message before it could not be encoded',
        sent: false,
      });
    }
    let sent = false;
    const outcome = new Promise<PublishOutcome>(resolve => {
      try {
        channel.publish(
          row.exchange!,
          row.routingKey ?? '',
          row.body,
          publishOptions(message),
          err => {
            const returned = this.returned.get(row.id);
            this.returned.delete(row.id);
            if (err) {
              resolve(
                err.message === 'message nacked'
                  ? {
                      status: 'failed',
                      reason: 'refused',
                      detail: 'refused by the broker: message nacked',
                    }
                  : {
                      status: 'unknown',
                      detail: `publishing failed: ${err.message}`,
                      sent: true,
                    },
              );
            } else if (returned) {
              resolve({
                status: 'failed',
                reason: 'unroutable',
                detail: returned,
              });
            } else {
              resolve({ status: 'confirmed' });
            }
          },
        );
        sent = true;
      } catch (e) {
        if ((e as Error).name !== 'IllegalOperationError') {
          // amqplib could not encode it, after queuing its confirm: this
          // channel's later confirms would answer the wrong messages. It
          // sends nothing more, and closes once those sent before are
          // confirmed (what is not within SPOILED_CLOSE_MAX_MS ends unknown,
          // sent: published again and counted); the next batch opens
          // another.
          this.spoil(channel);
          resolve({
            status: 'failed',
            reason: 'broker-error',
            detail: `cannot be sent over AMQP: ${(e as Error).message}`,
          });
          return;
        }
        // The channel closed before this publish was sent: nothing went out.
        resolve({
          status: 'unknown',
          detail: `publishing failed: ${(e as Error).message}`,
          sent: false,
        });
      }
    });
    if (sent) {
      let waiting = this.unconfirmed.get(channel);
      if (!waiting) {
        waiting = new Set();
        this.unconfirmed.set(channel, waiting);
      }
      const set = waiting;
      set.add(outcome);
      void outcome.then(() => set.delete(outcome));
    }
    return outcome;
  }

  private spoil(channel: amqp.ConfirmChannel) {
    this.spoiled.add(channel);
    const connection = this.connection;
    this.channel = undefined;
    this.connection = undefined;
    // Every message still unconfirmed was sent before the one that failed:
    // their confirms are right, so they are awaited.
    const earlier = [...(this.unconfirmed.get(channel) ?? [])];
    let timer: NodeJS.Timeout | undefined;
    const close = () => {
      if (!timer) return;
      clearTimeout(timer);
      timer = undefined;
      void connection?.close().catch(() => {});
    };
    timer = setTimeout(close, SPOILED_CLOSE_MAX_MS);
    void Promise.all(earlier).then(close);
  }

  private open(): Promise<amqp.ConfirmChannel> {
    if (!this.channel) {
      const opening = this.connect();
      this.channel = opening;
      opening.catch(() => {
        if (this.channel === opening) this.channel = undefined;
      });
    }
    return this.channel;
  }

  private async connect(): Promise<amqp.ConfirmChannel> {
    const { environment, url, logger } = this.options;
    const connection = await amqp.connect(url, {
      writableHighWaterMark: SOCKET_WRITE_BUFFER_BYTES,
      clientProperties: {
        connection_name: `backstage-dead-letter-redelivery-${environment}`,
      },
    });
    connection.on('error', e =>
      logger.warn(
        `dead-letter ${environment}: redelivery connection error ${e.message}`,
      ),
    );
    const lost = () => {
      if (this.connection !== connection) return;
      this.connection = undefined;
      this.channel = undefined;
      connection.close().catch(() => {});
    };
    connection.on('close', lost);
    try {
      const channel = await connection.createConfirmChannel();
      channel.on('error', e =>
        logger.warn(
          `dead-letter ${environment}: redelivery channel error ${e.message}`,
        ),
      );
      channel.on('close', lost);
      channel.on('return', (msg: amqp.Message) => {
        const id = String(msg.properties.headers?.[ROW_HEADER] ?? '');
        this.returned.set(
          id,
          `unroutable: no queue bound for exchange '${msg.fields.exchange}' and routing key '${msg.fields.routingKey}'`,
        );
      });
      this.connection = connection;
      return channel;
    } catch (e) {
      await connection.close().catch(() => {});
      throw e;
    }
  }

  /** The exchanges among `names` that do not exist ('' always does). */
  private async missingExchanges(names: string[]): Promise<Set<string>> {
    const now = Date.now();
    const unchecked = [...new Set(names)].filter(
      n => n !== '' && (this.exchangesSeen.get(n) ?? 0) < now,
    );
    const missing = new Set<string>();
    if (unchecked.length === 0 || !this.connection) return missing;
    for (const name of unchecked) {
      if (await brokerHas(this.connection, 'exchange', name))
        this.exchangesSeen.set(name, now + EXCHANGE_CHECK_TTL_MS);
      else missing.add(name);
    }
    return missing;
  }
}

/** One publisher per environment, opened on first use, closed at shutdown. */
export class RedeliveryPublishers {
  private readonly publishers = new Map<string, RedeliveryPublisher>();

  constructor(private readonly logger: LoggerService) {}

  /** The environment's publisher. */
  for(environment: { name: string; amqp: { url: string } }) {
    let publisher = this.publishers.get(environment.name);
    if (!publisher) {
      publisher = new RedeliveryPublisher({
        environment: environment.name,
        url: environment.amqp.url,
        logger: this.logger.child({ environment: environment.name }),
      });
      this.publishers.set(environment.name, publisher);
    }
    return publisher;
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    await Promise.all([...this.publishers.values()].map(p => p.close()));
  }
}
