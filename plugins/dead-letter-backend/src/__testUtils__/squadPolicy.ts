import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { DEAD_LETTER_MESSAGE_RESOURCE_TYPE } from '@internal/plugin-dead-letter-common';
import { decideForSquadMembers } from '../permissions';

/**
 * The portal's rule for tests, installed in the real permission backend:
 * only members of the squad that owns a message's service may act on it
 * (decideForSquadMembers); everything else is allowed. The permission
 * backend resolves its conditions through this plugin's resource type.
 */
export const squadPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'test-squad-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          async handle(req, user) {
            if (
              isResourcePermission(
                req.permission,
                DEAD_LETTER_MESSAGE_RESOURCE_TYPE,
              )
            ) {
              return decideForSquadMembers(req.permission, user);
            }
            return { result: AuthorizeResult.ALLOW };
          },
        });
      },
    });
  },
});
