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

/**
 * What the caller may see of a message's content (body, headers and
 * properties): `full` as stored, `masked` with the configured values
 * replaced, or `none` (metadata only).
 */
export type DeadLetterContentAccess = 'full' | 'masked' | 'none';

/** How much of a message's content a response carries, and why. */
export interface DeadLetterContentInfo {
  access: DeadLetterContentAccess;
  /** Why the content is not shown (access `none`), else null. */
  reason: string | null;
  /**
   * Who may read this message's content: the owning squad and the
   * configured reader groups, as group entity refs.
   */
  readers: string[];
  /**
   * What was replaced: the configured JSON paths that matched, and
   * `header <name>` for masked headers. Empty unless access is `masked`.
   */
  masked: string[];
  /**
   * The body is not shown although the rest is: it should be JSON but does
   * not parse (for example cut at the size limit), so fields to mask cannot
   * be found in it.
   */
  bodyWithheld: boolean;
}

interface DeadLetteredMessageDetailBase extends DeadLetteredMessage {
  /** True when the body was larger than the configured limit and cut. */
  bodyTruncated: boolean;
  content: DeadLetterContentInfo;
}

/** GET /dead-letters/:id for a caller who may read the content. */
export interface DeadLetteredMessageWithContent
  extends DeadLetteredMessageDetailBase {
  content: DeadLetterContentInfo & { access: 'full' | 'masked' };
  headers: Record<string, unknown>;
  properties: Record<string, unknown>;
  /** The body, base64 (masked: the masked JSON; withheld: empty). */
  body: string;
  /** The body as text, when it is valid UTF-8. */
  bodyText: string | null;
}

/** GET /dead-letters/:id for a caller who may see the metadata only. */
export interface DeadLetteredMessageMetadataOnly
  extends DeadLetteredMessageDetailBase {
  content: DeadLetterContentInfo & { access: 'none'; reason: string };
}

/**
 * A message with everything the caller may see to inspect it; check
 * `content.access` before reading body, headers or properties.
 */
export type DeadLetteredMessageDetail =
  | DeadLetteredMessageWithContent
  | DeadLetteredMessageMetadataOnly;

/** Narrows a message detail to one whose content the caller may read. */
export function hasContent(
  message: DeadLetteredMessageDetail,
): message is DeadLetteredMessageWithContent {
  return message.content.access !== 'none';
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

/**
 * Why a message is in the archive: a person deleted it, or it was
 * redelivered (published back to its exchange).
 */
export type ArchiveReason = 'deleted' | 'redelivered';

/** An archived message, as GET /archive lists it (metadata only). */
export interface ArchivedDeadLetter extends DeadLetteredMessage {
  archiveReason: ArchiveReason;
  /** User entity ref of who deleted or redelivered it, when known. */
  archivedBy: string | null;
  /** ISO time it was archived. */
  archivedAt: string;
  /** ISO time the archive purge removes it for good. */
  expiresAt: string;
}

/** GET /archive */
export interface ArchivedDeadLetters {
  items: ArchivedDeadLetter[];
  totalCount: number;
  nextCursor: string | null;
}

/** POST /archive/restore body. */
export interface RestoreRequest {
  environment: string;
  ids: string[];
}

/**
 * Why an id was not restored: `already-present` (it is a stored message
 * already, e.g. restored before), `not-archived` (not in this environment's
 * archive, or expired), `stored-again` (the same delivery was stored again
 * under another id since).
 */
export type RestoreSkipReason =
  | 'already-present'
  | 'not-archived'
  | 'stored-again';

/** POST /archive/restore */
export interface RestoreResult {
  /** Ids back in the stored messages, with the id they had. */
  restored: string[];
  skipped: Array<{ id: string; reason: RestoreSkipReason }>;
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
  /** How long messages are kept, and the last purge (any replica's). */
  retention: EnvironmentRetention;
}

/** An environment's retention and its last scheduled purge. */
export interface EnvironmentRetention {
  /** Messages dead-lettered longer ago than this are purged. */
  days: number;
  /** When the purge last ran (ISO), null when never or unknown. */
  lastRunAt: string | null;
  /** How many messages the last purge deleted, null when never or unknown. */
  lastPurged: number | null;
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
