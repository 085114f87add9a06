import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  ReleaseOverview,
  ReleaseStatus,
} from '@internal/plugin-release-status-common';

/** The release-status backend. */
export interface ReleaseStatusApi {
  /**
   * One component's environments and drift, as the backend's scheduled
   * refresh last computed them (`computedAt`); `freshness.state` is
   * `pending` until the first computation.
   */
  status(
    entityRef: string,
    options?: { refresh?: boolean },
  ): Promise<ReleaseStatus>;
  /** Many components, worst drift first; `owner` limits to one squad. */
  overview(options?: {
    owner?: string;
    refresh?: boolean;
  }): Promise<ReleaseOverview>;
  /**
   * Recomputes one component now and answers its fresh status; needs the
   * `release-status.refresh` permission.
   */
  refresh(entityRef: string): Promise<ReleaseStatus>;
}

export const releaseStatusApiRef = createApiRef<ReleaseStatusApi>({
  id: 'plugin.release-status.service',
});
