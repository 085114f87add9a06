import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import LocalShippingIcon from '@material-ui/icons/LocalShipping';
import { Entity } from '@backstage/catalog-model';
import { isReleasableComponent } from '@internal/plugin-release-status-common';
import {
  ReleaseStatusClient,
  releaseStatusApiRef,
} from '@internal/plugin-release-status-react';
import { rootRouteRef } from './routes';

/**
 * Components release-manager may release: shuttle.yaml components (the
 * `lunar.app/release-manager-service` annotation) that are not libraries or
 * documentation sites.
 */
const releasable = (entity: Entity) => isReleasableComponent(entity);

/** The client of the release-status backend. */
export const releaseStatusApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: releaseStatusApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new ReleaseStatusClient(deps),
    }),
});

/** The Releases page (sidebar): every service, worst drift first. */
export const releasesPage = PageBlueprint.make({
  params: {
    path: '/releases',
    routeRef: rootRouteRef,
    title: 'Releases',
    icon: <LocalShippingIcon />,
    loader: () =>
      import('./components/ReleasesPage').then(m => <m.ReleasesPage />),
  },
});

/** RELEASES tab of a component: one row per environment. */
export const releasesContent = EntityContentBlueprint.make({
  params: {
    path: 'releases',
    title: 'Releases',
    filter: releasable,
    loader: () =>
      import('./components/ReleasesContent').then(m => <m.ReleasesContent />),
  },
});

/** "Release drift" card on a component's overview. */
export const releaseDriftCard = EntityCardBlueprint.make({
  name: 'release-drift',
  params: {
    filter: releasable,
    loader: () =>
      import('./components/ReleaseDriftCard').then(m => <m.ReleaseDriftCard />),
  },
});

/** What is released where, and how far behind the default branch. */
export const releaseStatusPlugin = createFrontendPlugin({
  pluginId: 'release-status',
  title: 'Releases',
  icon: <LocalShippingIcon />,
  info: { packageJson: () => import('../package.json') },
  routes: { root: rootRouteRef },
  extensions: [
    releaseStatusApi,
    releasesPage,
    releasesContent,
    releaseDriftCard,
  ],
});
