import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  PolicyDecision,
  ResourcePermission,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { DEAD_LETTER_MESSAGE_RESOURCE_TYPE } from '@internal/plugin-dead-letter-common';
import { decideForSquadMembers } from '../permissions';

/**
 * A permission policy for tests, installed in the real permission backend:
 * `decide` rules on dead-letter messages; everything else is allowed. The
 * permission backend resolves its conditions through this plugin's
 * resource type.
 */
export function deadLetterTestPolicy(
  moduleId: string,
  decide: (
    permission: ResourcePermission<typeof DEAD_LETTER_MESSAGE_RESOURCE_TYPE>,
    user: PolicyQueryUser | undefined,
  ) => PolicyDecision,
) {
  return createBackendModule({
    pluginId: 'permission',
    moduleId,
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
                return decide(req.permission, user);
              }
              return { result: AuthorizeResult.ALLOW };
            },
          });
        },
      });
    },
  });
}

/**
 * The portal's rule for tests: only members of the squad that owns a
 * message's service may act on it (decideForSquadMembers).
 */
export const squadPolicy = deadLetterTestPolicy(
  'test-squad-policy',
  decideForSquadMembers,
);
