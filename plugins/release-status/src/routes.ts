import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The Releases page. */
export const rootRouteRef = createRouteRef();
