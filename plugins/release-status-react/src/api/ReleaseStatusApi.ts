import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  ReleaseOverview,
  ReleaseStatus,
} from '@internal/plugin-release-status-common';

/** The release-status backend. */
export interface ReleaseStatusApi {
  /** One component's environments and drift. */
  status(
    entityRef: string,
    options?: { refresh?: boolean },
  ): Promise<ReleaseStatus>;
  /** Many components, worst drift first; `owner` limits to one squad. */
  overview(options?: {
    owner?: string;
    refresh?: boolean;
  }): Promise<ReleaseOverview>;
}

export const releaseStatusApiRef = createApiRef<ReleaseStatusApi>({
  id: 'plugin.release-status.service',
});
