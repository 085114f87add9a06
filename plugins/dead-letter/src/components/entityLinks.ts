import { useRouteRef } from '@backstage/core-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';

/** Paths to the Dead Letter tab of a squad's group or a service's component. */
export function useDeadLetterTabLinks() {
  const entityRoute = useRouteRef(entityRouteRef);
  return {
    squad: (name: string) =>
      `${entityRoute({
        kind: 'group',
        namespace: 'default',
        name,
      })}/dead-letter`,
    service: (name: string) =>
      `${entityRoute({
        kind: 'component',
        namespace: 'default',
        name,
      })}/dead-letter`,
  };
}
