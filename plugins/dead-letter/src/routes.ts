import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The Dead Letter page. */
export const rootRouteRef = createRouteRef();
