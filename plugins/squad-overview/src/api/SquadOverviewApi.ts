import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  PullRequestsResponse,
  PulseResponse,
} from '@internal/plugin-squad-overview-common';

/** The squad-overview backend (`/api/squad-overview`). */
export interface SquadOverviewApi {
  /** Stored pulse entries of a squad (`group:default/squad-nasa`), newest first. */
  pulse(squad: string, limit?: number): Promise<PulseResponse>;
  /** Open pull requests across the squad's repositories. */
  pullRequests(owner: string): Promise<PullRequestsResponse>;
}

/** The squad-overview API. */
export const squadOverviewApiRef = createApiRef<SquadOverviewApi>({
  id: 'plugin.squad-overview.service',
});
