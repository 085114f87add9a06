import { parseEntityRef } from '@backstage/catalog-model';
import {
  AuthorizeResult,
  PermissionCriteria,
  PolicyDecision,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  PolicyQueryUser,
  isAndCriteria,
  isNotCriteria,
  isOrCriteria,
  createConditionExports,
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import {
  DEAD_LETTER_MESSAGE_RESOURCE_TYPE,
  deadLetterMessageReadPermission,
  deadLetterMessageReadUnmaskedPermission,
} from '@internal/plugin-dead-letter-common';
import { Knex } from 'knex';
import { z } from 'zod';
import type { DeadLetterReaders } from './config';

/** What permission rules see of a stored message. */
export interface DeadLetterResource {
  id: string;
  environment: string;
  service: string | null;
  squad: string | null;
}

/** A permission rule as a database condition: `column IN values`. */
export interface DeadLetterQuery {
  column: 'squad' | 'service';
  values: string[];
}

/** The dead-letter message resource type in the permission framework. */
export const deadLetterMessageResourceRef = createPermissionResourceRef<
  DeadLetterResource,
  DeadLetterQuery
>().with({
  pluginId: 'dead-letter',
  resourceType: DEAD_LETTER_MESSAGE_RESOURCE_TYPE,
});

/** `squad-nasa` and `group:default/squad-nasa` both name squad-nasa. */
function squadName(refOrName: string): string | undefined {
  try {
    const ref = parseEntityRef(refOrName, { defaultKind: 'group' });
    return ref.kind.toLocaleLowerCase('en-US') === 'group'
      ? ref.name
      : undefined;
  } catch {
    return undefined;
  }
}

const isInSquad = createPermissionRule({
  name: 'IS_IN_SQUAD',
  description:
    'Allow messages whose service is owned by one of the given squads (group names or group entity refs)',
  resourceRef: deadLetterMessageResourceRef,
  paramsSchema: z.object({
    squads: z
      .array(z.string())
      .describe('Squads, as group names or group entity refs'),
  }),
  apply: (resource, { squads }) =>
    resource.squad !== null &&
    squads.some(s => squadName(s) === resource.squad),
  toQuery: ({ squads }) => ({
    column: 'squad',
    values: squads.flatMap(s => squadName(s) ?? []),
  }),
});

const isService = createPermissionRule({
  name: 'IS_SERVICE',
  description: 'Allow messages of the given services',
  resourceRef: deadLetterMessageResourceRef,
  paramsSchema: z.object({
    services: z.array(z.string()).describe('Service names'),
  }),
  apply: (resource, { services }) =>
    resource.service !== null && services.includes(resource.service),
  toQuery: ({ services }) => ({ column: 'service', values: services }),
});

/** The rules a policy can use for dead-letter permissions. */
export const deadLetterPermissionRules = { isInSquad, isService };

/**
 * Conditions for permission policies, for example:
 * `createDeadLetterConditionalDecision(permission,
 * deadLetterConditions.isInSquad({ squads: ownershipEntityRefs }))`.
 */
export const {
  conditions: deadLetterConditions,
  createConditionalDecision: createDeadLetterConditionalDecision,
} = createConditionExports({
  resourceRef: deadLetterMessageResourceRef,
  rules: deadLetterPermissionRules,
});

/**
 * The decision of a policy that lets only squad members act on dead
 * letters: `permission` is limited to messages owned by the squads among
 * the user's ownership refs, and denied to a user in no squad.
 */
export function decideForSquadMembers(
  permission: ResourcePermission<typeof DEAD_LETTER_MESSAGE_RESOURCE_TYPE>,
  user: PolicyQueryUser | undefined,
): PolicyDecision {
  const squads = (user?.info.ownershipEntityRefs ?? []).filter(
    ref => parseEntityRef(ref).kind.toLocaleLowerCase('en-US') === 'group',
  );
  if (squads.length === 0) return { result: AuthorizeResult.DENY };
  return createDeadLetterConditionalDecision(
    permission,
    deadLetterConditions.isInSquad({ squads }),
  );
}

/** Whether the user is a member of one of the groups (normalised refs). */
function inAnyGroup(user: PolicyQueryUser | undefined, groups: string[]) {
  if (!user || groups.length === 0) return false;
  return user.info.ownershipEntityRefs.some(ref =>
    groups.includes(ref.toLocaleLowerCase('en-US')),
  );
}

/**
 * The portal's decision for every dead-letter message permission:
 *
 * - redeliver, delete and read (body, headers, properties): members of
 *   the squad that owns the message ({@link decideForSquadMembers});
 *   read also for members of `readers.groups` and `readers.unmaskedGroups`
 *   on every message.
 * - read-unmasked: members of `readers.unmaskedGroups` only, so a squad
 *   reads its own messages with the configured fields masked.
 */
export function decideForDeadLetters(
  permission: ResourcePermission<typeof DEAD_LETTER_MESSAGE_RESOURCE_TYPE>,
  user: PolicyQueryUser | undefined,
  readers: DeadLetterReaders,
): PolicyDecision {
  if (permission.name === deadLetterMessageReadUnmaskedPermission.name) {
    return {
      result: inAnyGroup(user, readers.unmaskedGroups)
        ? AuthorizeResult.ALLOW
        : AuthorizeResult.DENY,
    };
  }
  if (
    permission.name === deadLetterMessageReadPermission.name &&
    inAnyGroup(user, [...readers.groups, ...readers.unmaskedGroups])
  ) {
    return { result: AuthorizeResult.ALLOW };
  }
  return decideForSquadMembers(permission, user);
}

/** Restricts a query to the rows that satisfy permission criteria. */
export function whereAllowed(
  query: Knex.QueryBuilder,
  criteria: PermissionCriteria<DeadLetterQuery>,
): Knex.QueryBuilder {
  if (isAndCriteria(criteria)) {
    return query.where(q => {
      for (const c of criteria.allOf) q.andWhere(sub => whereAllowed(sub, c));
    });
  }
  if (isOrCriteria(criteria)) {
    return query.where(q => {
      if (criteria.anyOf.length === 0) q.whereRaw('1 = 0');
      for (const c of criteria.anyOf) q.orWhere(sub => whereAllowed(sub, c));
    });
  }
  if (isNotCriteria(criteria)) {
    return query.whereNot(q => whereAllowed(q, criteria.not));
  }
  return criteria.values.length
    ? query.whereIn(criteria.column, criteria.values)
    : query.whereRaw('1 = 0');
}
