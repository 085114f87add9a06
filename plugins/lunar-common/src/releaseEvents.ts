/**
 * The backend events-service topic on which release-manager's AMQP events
 * are passed between Lunar's backend plugins: squad-overview-backend
 * consumes them from the broker (for the pulse) and publishes each one it
 * could read here; release-status-backend subscribes to recompute the
 * service's components.
 */
export const RELEASE_MANAGER_EVENTS_TOPIC = 'lunar.release-manager';

/** release-manager's AMQP event types that concern one service. */
export type ReleaseManagerEventType =
  | 'released'
  | 'releaseSucceeded'
  | 'releaseFailed'
  | 'newArtifact';

/** The payload published on {@link RELEASE_MANAGER_EVENTS_TOPIC}. */
export interface ReleaseManagerEventPayload {
  type: ReleaseManagerEventType;
  /** The service's name in release-manager (the `lunar.app/release-manager-service` annotation). */
  service: string;
  environment: string | null;
  artifactId: string | null;
}

/** Reads a payload of {@link RELEASE_MANAGER_EVENTS_TOPIC}; anything else is undefined. */
export function readReleaseManagerEventPayload(
  payload: unknown,
): ReleaseManagerEventPayload | undefined {
  if (!payload || typeof payload !== 'object') return undefined;
  const p = payload as Record<string, unknown>;
  const types: string[] = [
    'released',
    'releaseSucceeded',
    'releaseFailed',
    'newArtifact',
  ];
  if (typeof p.type !== 'string' || !types.includes(p.type)) return undefined;
  if (typeof p.service !== 'string' || !p.service) return undefined;
  const optional = (v: unknown) => (typeof v === 'string' && v ? v : null);
  return {
    type: p.type as ReleaseManagerEventType,
    service: p.service,
    environment: optional(p.environment),
    artifactId: optional(p.artifactId),
  };
}
