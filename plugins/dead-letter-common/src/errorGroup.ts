/**
 * The longest error group kept: long stack traces group by their start.
 * Stored in `dead_letters.error_group`, so it is part of the schema's
 * contract: changing it (or any rule below) needs a backfill.
 */
export const ERROR_GROUP_MAX_LENGTH = 500;

/**
 * What varies between occurrences of one error, most specific first (an ISO
 * time holds numbers, a UUID holds hex), each replaced by a placeholder.
 */
const RULES: Array<[RegExp, string]> = [
  // 2026-12-07T11:26:55.123Z, 2026-12-07 11:26:55+01:00, 2026-12-07
  [
    /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/gi,
    '<time>',
  ],
  [/\b[\w.%+-]+@[a-z\d-]+(?:\.[a-z\d-]+)*\.[a-z]{2,}\b/gi, '<email>'],
  [
    /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi,
    '<uuid>',
  ],
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  // Object ids, hashes, trace ids: 8 or more hex digits, both letters and
  // digits among them (words such as "deadbeef" stay, long numbers are
  // numbers).
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<hex>'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}\b/g, '<ip>'],
  [/(?<![\w.])-?\d+(?:\.\d+)?\b/g, '<n>'],
];

/**
 * The group of an error text: the text with what varies between
 * occurrences (ISO times, emails, UUIDs, hex ids, IP addresses, numbers)
 * replaced by placeholders and whitespace collapsed, so that
 * "record 123 not found" and "record 456 not found" are one group
 * ("record <n> not found"). Null for no error. Digits inside words
 * (`ReserveFundsResponseV1`, `http2`) are kept: they name things.
 *
 * The dead-letter backend stores it with every message and groups by it;
 * anything else that groups errors (alerts) should use this function too.
 */
export function errorGroup(error: string | null | undefined): string | null {
  if (error === null || error === undefined) return null;
  let group = error;
  for (const [pattern, placeholder] of RULES)
    group = group.replace(pattern, placeholder);
  group = group.replace(/\s+/g, ' ').trim();
  return group.length > ERROR_GROUP_MAX_LENGTH
    ? group.slice(0, ERROR_GROUP_MAX_LENGTH)
    : group;
}
