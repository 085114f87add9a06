import {
  DeadLetterContentAccess,
  DeadLetteredMessage,
  DeadLetteredMessageDetail,
} from '@internal/plugin-dead-letter-common';
import { DeadLetterReaders } from '../config';
import { StoredDeadLetterDetail } from '../database/DeadLetterStore';
import { MaskingRules, maskContent } from './masking';

/**
 * Who may read a message's content: its owning squad (as a group ref) and
 * the configured reader groups, as the portal's policy grants it.
 */
export function readersOf(
  squad: string | null,
  readers: DeadLetterReaders,
): string[] {
  const owner = squad ? [`group:default/${squad}`] : [];
  return [...new Set([...owner, ...readers.groups, ...readers.unmaskedGroups])];
}

/** The body as text when it is valid UTF-8, else null. */
function utf8(body: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return null;
  }
}

/**
 * What GET /dead-letters/:id answers for a caller with the given access:
 * the metadata always; headers, properties and body only with `full` or
 * `masked` access, masked by the environment's rules in the latter case.
 */
export function messageView(options: {
  metadata: DeadLetteredMessage;
  row: StoredDeadLetterDetail;
  access: DeadLetterContentAccess;
  /** Why access is `none`. */
  reason?: string;
  rules: MaskingRules;
  readers: string[];
}): DeadLetteredMessageDetail {
  const { metadata, row, access, rules, readers } = options;
  const base = { ...metadata, bodyTruncated: row.bodyTruncated };
  if (access === 'none') {
    return {
      ...base,
      content: {
        access,
        reason: options.reason ?? 'not allowed to read this message',
        readers,
        masked: [],
        bodyWithheld: false,
      },
    };
  }
  const bodyText = utf8(row.body);
  const content =
    access === 'masked'
      ? maskContent(rules, {
          headers: row.headers,
          properties: row.properties,
          body: row.body,
          bodyText,
        })
      : {
          headers: row.headers,
          body: row.body,
          bodyText,
          masked: [],
          bodyWithheld: false,
        };
  return {
    ...base,
    content: {
      access,
      reason: null,
      readers,
      masked: content.masked,
      bodyWithheld: content.bodyWithheld,
    },
    headers: content.headers,
    properties: row.properties,
    body: content.body.toString('base64'),
    bodyText: content.bodyText,
  };
}
