import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  SquadOverviewResponse,
  SquadsOverviewResponse,
} from '@internal/plugin-squad-overview-common';

/** The squad-overview backend (`/api/squad-overview`). */
export interface SquadOverviewApi {
  /**
   * Everything a squad's page shows (`group:default/squad-nasa`): services
   * with dead letters, drift and open pull requests, the pull requests and
   * the pulse, each source's failure in its own section.
   */
  squadOverview(squad: string): Promise<SquadOverviewResponse>;
  /** Every squad with its numbers, for the Squads page. */
  squadsOverview(): Promise<SquadsOverviewResponse>;
}

/** The squad-overview API. */
export const squadOverviewApiRef = createApiRef<SquadOverviewApi>({
  id: 'plugin.squad-overview.service',
});
