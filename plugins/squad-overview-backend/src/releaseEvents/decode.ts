import {
  ReleaseManagerEventPayload,
  ReleaseManagerEventType,
  squadGroupRef,
} from '@internal/plugin-lunar-common';
import { NewPulseEvent } from '../database/PulseStore';
import { sha256 } from '../catalog/CatalogChangeTracker';

/** An AMQP delivery as the decoder needs it. */
export interface ReleaseMessage {
  routingKey: string;
  /** The `type` property (release-manager sets it to the event type). */
  type?: string;
  correlationId?: string;
  /** Seconds since the epoch (AMQP timestamp property), when set. */
  timestamp?: number;
  body: Buffer;
}

/** Finds the squad and component of a release-manager service name. */
export type ServiceLookup = (
  service: string,
) => Promise<{ entityRef: string; owner: string | null } | undefined>;

/** Bodies kept of unreadable events. */
const RAW_LIMIT = 65_536;

/** PostgreSQL text cannot hold NUL: never let one make an event unstorable. */
const clean = (s: string) => s.split('\u0000').join('\uFFFD');
const str = (v: unknown) => (typeof v === 'string' && v ? clean(v) : undefined);

/** `authentication-7d9f8b6c5d-x2x9z` -> `authentication` (a Deployment's pod). */
export function serviceOfPod(pod: string): string {
  const parts = pod.split('-');
  return parts.length > 2 ? parts.slice(0, -2).join('-') : pod;
}

/** `squad` in an event is the squad's short name (`nasa`). */
function squadRef(squad: string | undefined): string | null {
  return squad ? squadGroupRef(squad) : null;
}

/**
 * Turns one of release-manager's AMQP events (`released`,
 * `releaseSucceeded`, `releaseFailed`, `newArtifact`; routing key
 * `<prefix>.<type>`, JSON body) into a pulse event. Anything it cannot
 * read becomes an `unreadable` event with the body kept, never an error:
 * a poison message is stored and acknowledged, not redelivered forever.
 */
export async function decodeReleaseEvent(
  message: ReleaseMessage,
  lookup: ServiceLookup,
  receivedAt: Date,
): Promise<NewPulseEvent> {
  const type = message.type || message.routingKey.split('.').pop() || '';
  const occurredAt = (
    message.timestamp ? new Date(message.timestamp * 1000) : receivedAt
  ).toISOString();
  const dedupKey = sha256(
    message.routingKey,
    type,
    message.correlationId ?? '',
    message.body.toString('base64'),
  );
  const unreadable = (why: string): NewPulseEvent => ({
    dedupKey,
    kind: 'unreadable',
    occurredAt,
    squad: null,
    entityRef: null,
    service: '',
    environment: null,
    actor: null,
    summary: clean(`Unreadable release event (${message.routingKey}): ${why}`),
    raw: clean(message.body.subarray(0, RAW_LIMIT).toString('utf8')),
  });

  let body: Record<string, unknown>;
  try {
    const parsed = JSON.parse(message.body.toString('utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return unreadable('the body is not a JSON object');
    }
    body = parsed;
  } catch (e) {
    return unreadable(`the body is not JSON: ${(e as Error).message}`);
  }

  const environment = str(body.environment) ?? null;
  const artifact = str(body.artifactId);
  let kind: NewPulseEvent['kind'];
  let service: string | undefined;
  let actor: string | null = null;
  let summary: string;
  switch (type) {
    case 'released': {
      service = str(body.name);
      actor = str(body.authorName) ?? str(body.authorEmail) ?? null;
      const intent = str(body.intentType);
      kind = 'released';
      summary = `${service} was released to ${environment ?? 'an environment'}${
        actor ? ` by ${actor}` : ''
      }${intent ? ` (${intent})` : ''}`;
      break;
    }
    case 'releaseSucceeded': {
      service = str(body.name);
      actor = str(body.authorEmail) ?? null;
      kind = 'release-succeeded';
      const pods =
        typeof body.availablePods === 'number' &&
        typeof body.desiredPods === 'number'
          ? ` (${body.availablePods}/${body.desiredPods} pods)`
          : '';
      summary = `${service}${artifact ? ` ${artifact}` : ''} is running in ${
        environment ?? 'an environment'
      }${pods}`;
      break;
    }
    case 'releaseFailed': {
      const pod = str(body.podName);
      service = pod && serviceOfPod(pod);
      actor = str(body.authorEmail) ?? null;
      kind = 'release-failed';
      const errors = Array.isArray(body.errors)
        ? body.errors.filter((e): e is string => typeof e === 'string')
        : [];
      summary = `Release of ${service}${
        artifact ? ` ${artifact}` : ''
      } failed in ${environment ?? 'an environment'}${
        errors.length ? `: ${errors[0]}` : ''
      }`;
      break;
    }
    case 'newArtifact': {
      service = str(body.service);
      kind = 'new-artifact';
      summary = `New artifact ${artifact ?? '(no id)'} for ${service}`;
      break;
    }
    default:
      return unreadable(`unknown event type '${type}'`);
  }
  if (!service) return unreadable(`a ${type} event without a service name`);

  const known = await lookup(service);
  const squad =
    known?.owner ?? squadRef(str(body.squad) ?? str(body.alertSquad)) ?? null;
  return {
    dedupKey,
    kind,
    occurredAt,
    squad,
    entityRef: known?.entityRef ?? null,
    service,
    environment,
    actor,
    artifactId: artifact ?? null,
    summary,
  };
}

const EVENT_TYPES: Partial<
  Record<NewPulseEvent['kind'], ReleaseManagerEventType>
> = {
  released: 'released',
  'release-succeeded': 'releaseSucceeded',
  'release-failed': 'releaseFailed',
  'new-artifact': 'newArtifact',
};

/**
 * What other plugins hear of a decoded event (`RELEASE_MANAGER_EVENTS_TOPIC`
 * on the events service): its type and service; nothing for an
 * unreadable one.
 */
export function releaseManagerEventPayload(
  event: NewPulseEvent,
): ReleaseManagerEventPayload | undefined {
  const type = EVENT_TYPES[event.kind];
  if (!type || !event.service) return undefined;
  return {
    type,
    service: event.service,
    environment: event.environment,
    artifactId: event.artifactId ?? null,
  };
}
