/** Fills a logs link template; undefined values become empty. */
export function logsUrl(
  template: string | null,
  row: {
    service: string | null;
    environment: string;
    deadLetteredAt: string;
    messageId: string | null;
  },
): string | null {
  if (!template) return null;
  const time = new Date(row.deadLetteredAt);
  const values: Record<string, string> = {
    service: row.service ?? '',
    environment: row.environment,
    time: time.toISOString(),
    from: new Date(time.getTime() - 5 * 60_000).toISOString(),
    to: new Date(time.getTime() + 5 * 60_000).toISOString(),
    messageId: row.messageId ?? '',
  };
  return template.replace(/\{(\w+)\}/g, (whole, key) =>
    key in values ? encodeURIComponent(values[key]) : whole,
  );
}
