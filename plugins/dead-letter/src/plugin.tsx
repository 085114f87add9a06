import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import ErrorOutlineIcon from '@material-ui/icons/ErrorOutline';
import {
  DeadLetterClient,
  deadLetterApiRef,
} from '@internal/plugin-dead-letter-react';
import { rootRouteRef } from './routes';

/** The client of the dead-letter backend. */
export const deadLetterApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: deadLetterApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new DeadLetterClient(deps),
    }),
});

/** The Dead Letter page (sidebar): every squad's messages per environment. */
export const deadLetterPage = PageBlueprint.make({
  params: {
    path: '/dead-letter',
    routeRef: rootRouteRef,
    title: 'Dead Letter',
    icon: <ErrorOutlineIcon />,
    loader: () =>
      import('./components/DeadLetterPage').then(m => <m.DeadLetterPage />),
  },
});

/** DEAD LETTER tab of a component: its messages. */
export const deadLetterComponentContent = EntityContentBlueprint.make({
  name: 'component',
  params: {
    path: 'dead-letter',
    title: 'Dead Letter',
    filter: 'kind:component',
    loader: () =>
      import('./components/MessagesContent').then(m => <m.MessagesContent />),
  },
});

/** DEAD LETTER tab of a squad: its services with counts. */
export const deadLetterSquadContent = EntityContentBlueprint.make({
  name: 'squad',
  params: {
    path: 'dead-letter',
    title: 'Dead Letter',
    filter: 'kind:group',
    loader: () =>
      import('./components/SquadServicesContent').then(m => (
        <m.SquadServicesContent />
      )),
  },
});

/** Dead-lettered RabbitMQ messages: page, entity tabs and API client. */
export const deadLetterPlugin = createFrontendPlugin({
  pluginId: 'dead-letter',
  title: 'Dead Letter',
  icon: <ErrorOutlineIcon />,
  info: { packageJson: () => import('../package.json') },
  routes: { root: rootRouteRef },
  extensions: [
    deadLetterApi,
    deadLetterPage,
    deadLetterComponentContent,
    deadLetterSquadContent,
  ],
});
