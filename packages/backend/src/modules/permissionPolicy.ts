import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  PolicyDecision,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  DeadLetterReaders,
  decideForDeadLetters,
  readDeadLetterReaders,
} from '@internal/plugin-dead-letter-backend';
import { DEAD_LETTER_MESSAGE_RESOURCE_TYPE } from '@internal/plugin-dead-letter-common';

/**
 * Lunar's permission policy.
 *
 * - Dead letters: only members of the squad that owns a message's service
 *   may redeliver or delete it, or read its content (body, headers,
 *   properties) with the configured fields masked (the squads are the
 *   groups among the user's ownership refs; with GitHub sign-in, the groups
 *   the user is a member of). Members of `deadLetter.readers.groups` read
 *   every message masked, members of `deadLetter.readers.unmaskedGroups`
 *   unmasked. Messages of services without an owner in the catalog are off
 *   limits to squads.
 * - Everything else is allowed, as before Lunar had its own permissions.
 */
export class LunarPermissionPolicy implements PermissionPolicy {
  constructor(
    private readonly readers: DeadLetterReaders = {
      groups: [],
      unmaskedGroups: [],
    },
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (
      isResourcePermission(
        request.permission,
        DEAD_LETTER_MESSAGE_RESOURCE_TYPE,
      )
    ) {
      return decideForDeadLetters(request.permission, user, this.readers);
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

/** Installs {@link LunarPermissionPolicy} in the permission backend. */
export const lunarPermissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'lunar-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        policy.setPolicy(
          new LunarPermissionPolicy(readDeadLetterReaders(config)),
        );
      },
    });
  },
});
