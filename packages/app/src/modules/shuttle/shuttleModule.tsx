import { LUNAR_ANNOTATIONS } from '@internal/plugin-lunar-common';
import { Entity } from '@backstage/catalog-model';
import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';

/** A component the shuttle catalog module made from a plan.yaml. */
export const isShuttlePlan = (entity: Entity) =>
  entity.kind.toLocaleLowerCase('en-US') === 'component' &&
  entity.spec?.type === 'shuttle-plan';

/** "Users of this plan" on a shuttle plan's overview. */
export const planUsersCard = EntityCardBlueprint.make({
  name: 'shuttle-plan-users',
  params: {
    type: 'content',
    filter: isShuttlePlan,
    loader: () => import('./PlanUsersCard').then(m => <m.PlanUsersCard />),
  },
});

/** True for entities the shuttle module marked as having an unknown owner. */
export const hasUnknownOwnerMark = (entity: Entity) =>
  !!entity.metadata.annotations?.[LUNAR_ANNOTATIONS.unknownOwner];

/** "owner squad-juno is not a known squad", first on the overview. */
export const unknownOwnerCard = EntityCardBlueprint.make({
  name: 'shuttle-unknown-owner',
  params: {
    type: 'info',
    filter: hasUnknownOwnerMark,
    loader: () =>
      import('./UnknownOwnerCard').then(m => <m.UnknownOwnerCard />),
  },
});

/**
 * Catalog entity-page extensions for what plugins/shuttle-catalog-processor
 * emits: the users of a shuttle plan, and owners that are not in the catalog.
 */
export const shuttleModule = createFrontendModule({
  pluginId: 'catalog',
  extensions: [planUsersCard, unknownOwnerCard],
});
