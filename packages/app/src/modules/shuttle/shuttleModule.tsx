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

/**
 * Catalog entity-page extensions for what plugins/shuttle-catalog-processor
 * emits: the users of a shuttle plan.
 */
export const shuttleModule = createFrontendModule({
  pluginId: 'catalog',
  extensions: [planUsersCard],
});
