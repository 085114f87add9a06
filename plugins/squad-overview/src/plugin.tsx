import {
  PageBlueprint,
  createFrontendPlugin,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { Entity } from '@backstage/catalog-model';
import GroupWorkIcon from '@material-ui/icons/GroupWork';
import { rootRouteRef } from './routes';

const isSquad = (entity: Entity) =>
  entity.kind.toLowerCase() === 'group' && entity.spec?.type === 'squad';

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

/** Squads page and the squad overview: services, dead letters, drift. */
export const squadOverviewPlugin = createFrontendPlugin({
  pluginId: 'squad-overview',
  title: 'Squads',
  icon: <GroupWorkIcon />,
  info: { packageJson: () => import('../package.json') },
  routes: { root: rootRouteRef },
  extensions: [squadsPage, squadOverviewCard],
});
