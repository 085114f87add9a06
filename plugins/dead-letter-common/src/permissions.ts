import { createPermission } from '@backstage/plugin-permission-common';

/** Deleting dead-lettered messages; destructive, so a user must pass it. */
export const deadLetterMessageDeletePermission = createPermission({
  name: 'dead-letter.message.delete',
  attributes: { action: 'delete' },
});

/** Publishing dead-lettered messages back to their original exchange. */
export const deadLetterMessageRedeliverPermission = createPermission({
  name: 'dead-letter.message.redeliver',
  attributes: { action: 'update' },
});

/** Every permission of the dead-letter plugin. */
export const deadLetterPermissions = [
  deadLetterMessageDeletePermission,
  deadLetterMessageRedeliverPermission,
];
