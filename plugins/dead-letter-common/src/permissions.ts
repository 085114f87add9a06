import { createPermission } from '@backstage/plugin-permission-common';

/**
 * The permission resource type of a stored dead-lettered message. Its
 * resource ref is the message id, so a policy can decide per message, for
 * example by the squad that owns the message's service.
 */
export const DEAD_LETTER_MESSAGE_RESOURCE_TYPE = 'dead-letter-message';

/** Deleting dead-lettered messages; destructive, so a user must pass it. */
export const deadLetterMessageDeletePermission = createPermission({
  name: 'dead-letter.message.delete',
  attributes: { action: 'delete' },
  resourceType: DEAD_LETTER_MESSAGE_RESOURCE_TYPE,
});

/** Publishing dead-lettered messages back to their original exchange. */
export const deadLetterMessageRedeliverPermission = createPermission({
  name: 'dead-letter.message.redeliver',
  attributes: { action: 'update' },
  resourceType: DEAD_LETTER_MESSAGE_RESOURCE_TYPE,
});

/**
 * Reading a message's content: its body, headers and properties. The list
 * and the overviews (counts, queue, routing key, error text, ids, times)
 * need no permission beyond being signed in. Values configured for masking
 * stay masked unless {@link deadLetterMessageReadUnmaskedPermission} is
 * granted too.
 */
export const deadLetterMessageReadPermission = createPermission({
  name: 'dead-letter.message.read',
  attributes: { action: 'read' },
  resourceType: DEAD_LETTER_MESSAGE_RESOURCE_TYPE,
});

/**
 * Reading a message's content without masking: the configured JSON paths
 * and headers (card numbers, CPR numbers, tokens, ...) in clear. Only
 * meaningful together with {@link deadLetterMessageReadPermission}.
 */
export const deadLetterMessageReadUnmaskedPermission = createPermission({
  name: 'dead-letter.message.read-unmasked',
  attributes: { action: 'read' },
  resourceType: DEAD_LETTER_MESSAGE_RESOURCE_TYPE,
});

/** Every permission of the dead-letter plugin. */
export const deadLetterPermissions = [
  deadLetterMessageDeletePermission,
  deadLetterMessageRedeliverPermission,
  deadLetterMessageReadPermission,
  deadLetterMessageReadUnmaskedPermission,
];
