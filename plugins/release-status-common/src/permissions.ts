import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Recomputing one component's release status now (`POST /refresh`). Reads
 * need no permission beyond seeing the component in the catalog; a
 * refresh costs release-manager and GitHub requests, so a policy can
 * limit it.
 */
export const releaseStatusRefreshPermission = createPermission({
  name: 'release-status.refresh',
  attributes: { action: 'update' },
});

/** Every permission of the release-status plugin. */
export const releaseStatusPermissions = [releaseStatusRefreshPermission];
