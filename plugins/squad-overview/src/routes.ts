import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The Squads page. */
export const rootRouteRef = createRouteRef();
