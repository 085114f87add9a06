import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { LUNAR_ANNOTATIONS } from '@internal/plugin-lunar-common';
import { ReleaseStatus } from '@internal/plugin-release-status-common';
import { StoredReleaseStatus } from '../database/ReleaseStatusStore';
import { ownerOf } from './ReleaseStatusService';

/**
 * The answer for a component from what the refresh stored: its status
 * with `computedAt` and `freshness`, or, when nothing was computed yet, a
 * `pending` status with no environments and no sources (the caller starts
 * a refresh of it).
 */
export function toAnswer(
  entity: Entity,
  stored: StoredReleaseStatus | undefined,
  now: Date = new Date(),
): ReleaseStatus {
  const errors = stored?.lastError
    ? { lastError: stored.lastError, lastErrorAt: stored.lastErrorAt! }
    : {};
  if (stored?.status) {
    return {
      ...stored.status,
      computedAt: stored.computedAt,
      freshness: {
        state: 'computed',
        checkedAt: stored.checkedAt,
        ...errors,
      },
    };
  }
  return {
    entityRef: stringifyEntityRef(entity),
    service:
      entity.metadata.annotations?.[LUNAR_ANNOTATIONS.releaseManagerService] ??
      entity.metadata.name,
    owner: ownerOf(entity),
    defaultBranch: 'master',
    head: null,
    environments: [],
    autoReleasePolicies: [],
    sources: [],
    generatedAt: now.toISOString(),
    computedAt: null,
    freshness: {
      state: 'pending',
      checkedAt: stored?.checkedAt ?? null,
      ...errors,
    },
  };
}
