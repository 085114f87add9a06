import { useRouteRef } from '@backstage/core-plugin-api';
import {
  entityRouteParams,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';

/** Path to an entity's page, or one of its tabs (`/releases`). */
export function useEntityLink() {
  const entityRoute = useRouteRef(entityRouteRef);
  return (ref: string, tab = '') =>
    `${entityRoute(entityRouteParams(ref))}${tab}`;
}
