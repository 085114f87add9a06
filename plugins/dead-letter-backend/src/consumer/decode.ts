import { createHash } from 'node:crypto';
import type { NewDeadLetter } from '../database/DeadLetterStore';
import { REDELIVERY_HEADER } from './headers';

export { REDELIVERY_HEADER } from './headers';
export type { NewDeadLetter } from '../database/DeadLetterStore';

/** What amqplib hands a consumer. */
export interface AmqpMessage {
  content: Buffer;
  fields: { redelivered: boolean; exchange: string; routingKey: string };
  properties: Record<string, unknown> & { headers?: Record<string, unknown> };
}

/** Makes AMQP field values JSON-safe: bytes as base64, dates as ISO. */
export function toJsonSafe(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return { $base64: value.toString('base64') };
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(toJsonSafe);
  if (typeof value === 'object') {
    // amqplib wraps explicitly typed values as { '!': type, value }.
    const v = value as Record<string, unknown>;
    if ('!' in v && 'value' in v && Object.keys(v).length === 2)
      return toJsonSafe(v.value);
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, toJsonSafe(x)]),
    );
  }
  if (typeof value === 'number' && !Number.isFinite(value))
    return String(value);
  return value;
}

const text = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'object' && v && 'value' in (v as any))
    return text((v as any).value);
  const s = String(v);
  return s === '' ? null : s;
};

/** An x-death time: amqplib gives seconds since the epoch (or a Date). */
function deathTime(v: unknown): Date | undefined {
  if (v instanceof Date) return v;
  const n =
    typeof v === 'object' && v && 'value' in (v as any)
      ? Number((v as any).value)
      : Number(v);
  if (!Number.isFinite(n) || n <= 0) return undefined;
  return new Date(n < 1e12 ? n * 1000 : n);
}

/** Maps a dead-letter queue name to the service that consumed it. */
export function serviceFromQueue(
  queue: string | null,
  pattern: RegExp,
): string | null {
  if (!queue) return null;
  const m = pattern.exec(queue);
  if (!m) return queue;
  return m.groups?.service ?? m[1] ?? m[0];
}

/**
 * Reads whatever can be read from a dead-lettered delivery. Never throws:
 * odd headers, binary bodies and missing x-death still give a row.
 */
export function decodeDeadLetter(
  message: AmqpMessage,
  options: {
    environment: string;
    errorHeader: string;
    servicePattern: RegExp;
    maxBodyBytes: number;
    now: Date;
  },
): NewDeadLetter {
  const rawHeaders = (message.properties.headers ?? {}) as Record<
    string,
    unknown
  >;
  const xDeath = Array.isArray(rawHeaders['x-death'])
    ? (rawHeaders['x-death'] as Record<string, unknown>[])
    : [];
  // x-death is most recent first; the first death is the last entry.
  const first = (xDeath[xDeath.length - 1] ?? {}) as Record<string, unknown>;
  const queue = text(rawHeaders['x-first-death-queue']) ?? text(first.queue);
  const exchange =
    text(rawHeaders['x-first-death-exchange']) ??
    (first.exchange !== undefined ? text(first.exchange) ?? '' : null);
  const routingKeys = Array.isArray(first['routing-keys'])
    ? (first['routing-keys'] as unknown[])
    : [];
  const routingKey =
    text(routingKeys[0]) ??
    (queue === null ? text(message.fields.routingKey) : null);
  const reason = text(rawHeaders['x-first-death-reason']) ?? text(first.reason);
  const deadLetteredAt = deathTime(first.time) ?? options.now;
  const redeliveryCount = Number(text(rawHeaders[REDELIVERY_HEADER]) ?? 0) || 0;

  const { headers: _headers, ...rest } = message.properties;
  const properties = toJsonSafe(
    Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
  ) as Record<string, unknown>;
  const headers = toJsonSafe(rawHeaders) as Record<string, unknown>;

  const bodySize = message.content.length;
  const bodyTruncated = bodySize > options.maxBodyBytes;
  const body = bodyTruncated
    ? message.content.subarray(0, options.maxBodyBytes)
    : message.content;

  const messageId = text(message.properties.messageId);
  const dedupKey = createHash('sha256')
    .update(
      JSON.stringify([
        options.environment,
        messageId,
        text(message.properties.correlationId),
        toJsonSafe(message.properties.timestamp),
        toJsonSafe(xDeath),
        redeliveryCount,
        bodySize,
      ]),
    )
    .update(message.content)
    .digest('hex');

  return {
    dedupKey,
    environment: options.environment,
    queue,
    exchange,
    routingKey,
    reason,
    service: serviceFromQueue(queue, options.servicePattern),
    squad: null,
    messageId,
    correlationId: text(message.properties.correlationId),
    error: text(rawHeaders[options.errorHeader]) ?? reason,
    deadLetteredAt: deadLetteredAt.toISOString(),
    receivedAt: options.now.toISOString(),
    redeliveryCount,
    headers,
    properties,
    body,
    bodySize,
    bodyTruncated,
  };
}
