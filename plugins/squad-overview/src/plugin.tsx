import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { Entity } from '@backstage/catalog-model';
import GroupWorkIcon from '@material-ui/icons/GroupWork';
import { rootRouteRef } from './routes';
import { SquadOverviewClient, squadOverviewApiRef } from './api';

const isSquad = (entity: Entity) =>
  entity.kind.toLowerCase() === 'group' && entity.spec?.type === 'squad';

/** The client of the squad-overview backend. */
export const squadOverviewApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: squadOverviewApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new SquadOverviewClient(deps),
    }),
});

/** The Squads page (sidebar): every squad and how it is doing. */
export const squadsPage = PageBlueprint.make({
  params: {
    path: '/squads',
    routeRef: rootRouteRef,
    title: 'Squads',
    icon: <GroupWorkIcon />,
    loader: () => import('./components/SquadsPage').then(m => <m.SquadsPage />),
  },
});

/** "Squad overview" card on a squad's OVERVIEW tab. */
export const squadOverviewCard = EntityCardBlueprint.make({
  name: 'squad-overview',
  params: {
    type: 'content',
    filter: isSquad,
    loader: () =>
      import('./components/SquadOverviewCard').then(m => (
        <m.SquadOverviewCard />
      )),
  },
});

/** "Open PRs" card on a squad's OVERVIEW tab. */
export const squadPullRequestsCard = EntityCardBlueprint.make({
  name: 'pull-requests',
  params: {
    type: 'content',
    filter: isSquad,
    loader: () =>
      import('./components/PullRequestsCard').then(m => <m.PullRequestsCard />),
  },
});

/** "Pulse" card on a squad's OVERVIEW tab. */
export const squadPulseCard = EntityCardBlueprint.make({
  name: 'pulse',
  params: {
    type: 'content',
    filter: isSquad,
    loader: () => import('./components/PulseCard').then(m => <m.PulseCard />),
  },
});

/** Squads page and the squad overview: services, dead letters, drift, PRs, pulse. */
export const squadOverviewPlugin = createFrontendPlugin({
  pluginId: 'squad-overview',
  title: 'Squads',
  icon: <GroupWorkIcon />,
  info: { packageJson: () => import('../package.json') },
  routes: { root: rootRouteRef },
  extensions: [
    squadOverviewApi,
    squadsPage,
    squadOverviewCard,
    squadPullRequestsCard,
    squadPulseCard,
  ],
});
