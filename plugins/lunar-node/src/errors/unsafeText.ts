/**
 * What must never reach a caller: SQL statements (knex puts the statement
 * into an error's message), stack frames, and connection strings (which can
 * carry passwords).
 */
const UNSAFE = [
  // A SQL statement: a verb followed later by the clause it needs.
  /\b(select|with)\b[\s\S]*\bfrom\b/i,
  /\binsert\s+into\b/i,
  /\bupdate\b[\s\S]*\bset\b[\s\S]*=/i,
  /\bdelete\s+from\b/i,
  /\b(create|alter|drop|truncate)\s+(table|index|schema|database)\b/i,
  // Stack frames.
  /\n\s*at\s+\S+/,
  /\bat\s+\S+\s+\(?\S+\.(js|ts|cjs|mjs):\d+:\d+\)?/,
  // Connection strings and credentials in URLs.
  /\b(postgres(ql)?|mysql2?|mariadb|mssql|sqlite3?|amqps?|redis|rediss|mongodb(\+srv)?):\/\//i,
  /\/\/[^/\s:@]+:[^/\s@]+@/,
  /\b(password|passwd|pwd)\s*[=:]/i,
  // Table internals knex and pg name in their errors.
  /\brelation\s+"[^"]+"/i,
  /\bcolumn\s+"[^"]+"/i,
];

/**
 * True when `text` looks like it carries SQL, a stack or a connection
 * string. Deliberately broad: a false alarm costs a less specific message,
 * a miss leaks internals.
 */
export function containsUnsafeDetail(text: string): boolean {
  return UNSAFE.some(re => re.test(text));
}
