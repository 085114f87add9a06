import { useRouteRef } from '@backstage/core-plugin-api';
import {
  entityRouteParams,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';

/** Paths to the Dead Letter tab of a squad's group or a service's component. */
export function useDeadLetterTabLinks() {
  const entityRoute = useRouteRef(entityRouteRef);
  const tab = (ref: string) =>
    `${entityRoute(entityRouteParams(ref))}/dead-letter`;
  return {
    squad: (name: string) => tab(`group:default/${name}`),
    service: (name: string) => tab(`component:default/${name}`),
  };
}
