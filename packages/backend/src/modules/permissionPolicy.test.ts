import {
  AuthorizeResult,
  ConditionalPolicyDecision,
  createPermission,
} from '@backstage/plugin-permission-common';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import { catalogEntityDeletePermission } from '@backstage/plugin-catalog-common/alpha';
import {
  deadLetterMessageDeletePermission,
  deadLetterMessageReadPermission,
  deadLetterMessageReadUnmaskedPermission,
  deadLetterMessageRedeliverPermission,
} from '@internal/plugin-dead-letter-common';
import { LunarPermissionPolicy } from './permissionPolicy';

function user(...ownershipEntityRefs: string[]): PolicyQueryUser {
  return {
    info: { userEntityRef: ownershipEntityRefs[0], ownershipEntityRefs },
    token: 'token',
    credentials: {} as any,
    expiresInSeconds: 60,
  } as PolicyQueryUser;
}

describe('LunarPermissionPolicy', () => {
  const policy = new LunarPermissionPolicy();

  it.each([
    deadLetterMessageDeletePermission,
    deadLetterMessageRedeliverPermission,
    deadLetterMessageReadPermission,
  ])('limits $name to the squads the user is a member of', async permission => {
    const decision = (await policy.handle(
      { permission },
      user(
        'user:default/mette.hansen',
        'group:default/squad-mercury',
        'group:default/squad-gemini',
      ),
    )) as ConditionalPolicyDecision;
    expect(decision.result).toBe(AuthorizeResult.CONDITIONAL);
    expect(decision.pluginId).toBe('dead-letter');
    expect(decision.resourceType).toBe('dead-letter-message');
    // Only groups count; the user's own ref is not a squad.
    expect(decision.conditions).toEqual({
      rule: 'IS_IN_SQUAD',
      resourceType: 'dead-letter-message',
      params: {
        squads: ['group:default/squad-mercury', 'group:default/squad-gemini'],
      },
    });
  });

  it('denies dead-letter actions to a user in no squad, and to no user', async () => {
    for (const who of [user('user:default/new.hire'), undefined]) {
      const decision = await policy.handle(
        { permission: deadLetterMessageDeletePermission },
        who,
      );
      expect(decision.result).toBe(AuthorizeResult.DENY);
    }
  });

  it('lets squads read masked, and the configured groups read every message', async () => {
    const configured = new LunarPermissionPolicy({
      groups: ['group:default/platform'],
      unmaskedGroups: ['group:default/incident-commanders'],
    });
    const decide = async (
      permission: typeof deadLetterMessageReadPermission,
      ...refs: string[]
    ) => (await configured.handle({ permission }, user(...refs))).result;
    const squad = ['user:default/mette.hansen', 'group:default/squad-mercury'];
    const platform = ['user:default/ops', 'group:default/Platform'];
    const incident = ['user:default/ic', 'group:default/incident-commanders'];
    // The owning squad reads (conditionally), masked.
    expect(await decide(deadLetterMessageReadPermission, ...squad)).toBe(
      AuthorizeResult.CONDITIONAL,
    );
    expect(
      await decide(deadLetterMessageReadUnmaskedPermission, ...squad),
    ).toBe(AuthorizeResult.DENY);
    // Platform reads every message, masked.
    expect(await decide(deadLetterMessageReadPermission, ...platform)).toBe(
      AuthorizeResult.ALLOW,
    );
    expect(
      await decide(deadLetterMessageReadUnmaskedPermission, ...platform),
    ).toBe(AuthorizeResult.DENY);
    // Incident commanders read every message, unmasked.
    expect(await decide(deadLetterMessageReadPermission, ...incident)).toBe(
      AuthorizeResult.ALLOW,
    );
    expect(
      await decide(deadLetterMessageReadUnmaskedPermission, ...incident),
    ).toBe(AuthorizeResult.ALLOW);
    // Reading does not extend to acting.
    expect(
      await decide(deadLetterMessageDeletePermission as any, ...incident),
    ).toBe(AuthorizeResult.CONDITIONAL);
    // Nobody reads unmasked by default.
    expect(
      (
        await policy.handle(
          { permission: deadLetterMessageReadUnmaskedPermission },
          user(...incident),
        )
      ).result,
    ).toBe(AuthorizeResult.DENY);
  });

  it('allows everything else', async () => {
    for (const permission of [
      catalogEntityDeletePermission,
      createPermission({ name: 'some.other', attributes: {} }),
    ]) {
      const decision = await policy.handle(
        { permission },
        user('user:default/new.hire'),
      );
      expect(decision.result).toBe(AuthorizeResult.ALLOW);
    }
  });
});
