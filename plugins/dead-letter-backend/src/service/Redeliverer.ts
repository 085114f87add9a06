import * as amqp from 'amqplib';
import { StoredDeadLetterDetail } from '../database/DeadLetterStore';
import { REDELIVERY_HEADER } from '../consumer/decode';

/** Header naming the row a redelivered message came from (for returns). */
const ROW_HEADER = 'x-dead-letter-id';

/** Headers RabbitMQ writes when dead-lettering; not sent back. */
const DEATH_HEADERS = /^x-(death|first-death-|last-death-)/;

/** Undoes toJsonSafe for values AMQP needs as bytes. */
function fromJsonSafe(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromJsonSafe);
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.$base64 === 'string' && Object.keys(v).length === 1) {
      return Buffer.from(v.$base64, 'base64');
    }
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, fromJsonSafe(x)]),
    );
  }
  return value;
}

/** The publish options that reproduce a stored message's properties. */
export function publishOptions(
  row: StoredDeadLetterDetail,
): amqp.Options.Publish {
  const p = row.properties as Record<string, any>;
  const headers = Object.fromEntries(
    Object.entries(fromJsonSafe(row.headers) as Record<string, unknown>).filter(
      ([k]) => !DEATH_HEADERS.test(k),
    ),
  );
  headers[REDELIVERY_HEADER] = row.redeliveryCount + 1;
  headers[ROW_HEADER] = row.id;
  return {
    mandatory: true,
    headers,
    ...(p.contentType && { contentType: p.contentType }),
    ...(p.contentEncoding && { contentEncoding: p.contentEncoding }),
    ...(p.deliveryMode && { deliveryMode: p.deliveryMode }),
    ...(p.priority !== undefined &&
      p.priority !== null && { priority: p.priority }),
    ...(p.correlationId && { correlationId: p.correlationId }),
    ...(p.replyTo && { replyTo: p.replyTo }),
    ...(p.expiration && { expiration: p.expiration }),
    ...(p.messageId && { messageId: p.messageId }),
    ...(p.timestamp && { timestamp: p.timestamp }),
    ...(p.type && { type: p.type }),
    ...(p.appId && { appId: p.appId }),
    // userId is checked against the publishing user; not reproduced.
  };
}

/**
 * Publishes stored messages back to the exchange and routing key they were
 * first published to, with publisher confirms and `mandatory`, so a row is
 * only reported redelivered once the broker confirmed it and routed it.
 */
export class Redeliverer {
  constructor(private readonly url: string) {}

  async redeliver(
    rows: StoredDeadLetterDetail[],
  ): Promise<{ ok: string[]; failed: Array<{ id: string; reason: string }> }> {
    const failed: Array<{ id: string; reason: string }> = [];
    const sendable = rows.filter(row => {
      if (row.exchange === null) {
        failed.push({
          id: row.id,
          reason: 'the original exchange is unknown (no x-death header)',
        });
        return false;
      }
      if (row.bodyTruncated) {
        failed.push({
          id: row.id,
          reason:
            'the body was larger than the storage limit and was cut; not redelivered',
        });
        return false;
      }
      return true;
    });
    if (sendable.length === 0) return { ok: [], failed };

    let connection: amqp.ChannelModel;
    try {
      connection = await amqp.connect(this.url);
    } catch (e) {
      return {
        ok: [],
        failed: [
          ...failed,
          ...sendable.map(r => ({
            id: r.id,
            reason: `broker unavailable: ${(e as Error).message}`,
          })),
        ],
      };
    }
    connection.on('error', () => {});
    const ok: string[] = [];
    try {
      const channel = await connection.createConfirmChannel();
      channel.on('error', () => {});
      const returned = new Map<string, string>();
      channel.on('return', (msg: amqp.Message) => {
        const id = String(msg.properties.headers?.[ROW_HEADER] ?? '');
        returned.set(
          id,
          `unroutable: no queue bound for exchange '${msg.fields.exchange}' and routing key '${msg.fields.routingKey}'`,
        );
      });
      const nacked = new Map<string, string>();
      const confirms = sendable.map(
        row =>
          new Promise<void>(resolve => {
            channel.publish(
              row.exchange!,
              row.routingKey ?? '',
              row.body,
              publishOptions(row),
              err => {
                if (err)
                  nacked.set(
                    row.id,
                    `refused by the broker: ${err.message ?? err}`,
                  );
                resolve();
              },
            );
          }),
      );
      await Promise.all(confirms);
      // A basic.return precedes the confirm of the same message.
      for (const row of sendable) {
        const reason = returned.get(row.id) ?? nacked.get(row.id);
        if (reason) failed.push({ id: row.id, reason });
        else ok.push(row.id);
      }
      await channel.close();
    } catch (e) {
      const done = new Set([...ok, ...failed.map(f => f.id)]);
      for (const row of sendable) {
        if (!done.has(row.id))
          failed.push({
            id: row.id,
            reason: `publishing failed: ${(e as Error).message}`,
          });
      }
    } finally {
      await connection.close().catch(() => {});
    }
    return { ok, failed };
  }
}
