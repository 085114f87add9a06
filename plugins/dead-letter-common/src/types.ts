/** A stored dead-lettered message, as listed. */
export interface DeadLetteredMessage {
  id: string;
  environment: string;
  /** The queue the message died in (first death). */
  queue: string | null;
  /** The exchange it was first published to ('' is the default exchange). */
  exchange: string | null;
  routingKey: string | null;
  messageId: string | null;
  correlationId: string | null;
  service: string | null;
  squad: string | null;
  /** The handler's error text, else the dead-letter reason. */
  error: string | null;
  /** Why RabbitMQ dead-lettered it: rejected, expired, maxlen, delivery_limit. */
  reason: string | null;
  /** ISO time of the first death (1 second resolution, from x-death). */
  deadLetteredAt: string;
  /** ISO time the portal stored it. */
  receivedAt: string;
  /** How often the portal has redelivered this message before. */
  redeliveryCount: number;
  /** Body size in bytes. */
  bodySize: number;
  /** Link to the service's logs around the time, from the environment's template. */
  logsUrl: string | null;
}

/** A message with everything needed to inspect it. */
export interface DeadLetteredMessageDetail extends DeadLetteredMessage {
  headers: Record<string, unknown>;
  properties: Record<string, unknown>;
  /** The body, base64. */
  body: string;
  /** The body as text, when it is valid UTF-8. */
  bodyText: string | null;
  /** True when the body was larger than the configured limit and cut. */
  bodyTruncated: boolean;
}

/** GET /dead-letters */
export interface DeadLetteredMessages {
  items: DeadLetteredMessage[];
  totalCount: number;
  nextCursor: string | null;
}

/** Narrows a list, a delete or a redelivery. */
export interface DeadLetterFilter {
  service?: string;
  squad?: string;
  queue?: string;
  routingKey?: string;
  /** Substring of the error text. */
  error?: string;
  /** ISO time, inclusive. */
  from?: string;
  /** ISO time, exclusive. */
  to?: string;
}

/** GET /dead-letters/service-overview */
export interface ServiceOverview {
  service: string | null;
  squad: string | null;
  count: number;
  oldest: string;
  newest: string;
}

/** GET /dead-letters/squad-overview */
export interface SquadOverview {
  squad: string | null;
  count: number;
}

/** GET /dead-letters/error-groups */
export interface ErrorGroup {
  service: string;
  /** The squad that owns the service, when the catalog knows it. */
  squad: string | null;
  error: string | null;
  count: number;
  newest: string;
  /** One message of the group, to ask permission decisions for. */
  sampleId: string;
}

/** DELETE /dead-letters and POST /dead-letters/redeliver bodies. */
export type DeadLetterSelection =
  | { environment: string; ids: string[]; filter?: never }
  | { environment: string; filter: DeadLetterFilter; ids?: never };

/** DELETE /dead-letters */
export interface DeleteResult {
  deleted: number;
}

/** POST /dead-letters/redeliver */
export interface RedeliverResult {
  redelivered: number;
  failed: Array<{ id: string; reason: string }>;
}

/** GET /environments */
export interface EnvironmentStatus {
  name: string;
  queue: string;
  /**
   * connecting, consuming, paused (see reason) or stopped; `sample`: read-only
   * sample messages from a file (no broker; `queue` names the file).
   */
  state: 'connecting' | 'consuming' | 'paused' | 'stopped' | 'sample';
  reason: string | null;
  /** Messages stored since start. */
  stored: number;
  logsUrlTemplate: string | null;
}

/** GET /dead-letters/histogram */
export interface DeadLetterHistogram {
  /** Start of the first hour (ISO). */
  from: string;
  hours: number;
  /** Non-empty buckets, oldest first. */
  buckets: Array<{
    /** UTC hour, `YYYY-MM-DDTHH`. */
    hour: string;
    /** The squad or service, per `groupBy`. */
    key: string | null;
    count: number;
  }>;
}
