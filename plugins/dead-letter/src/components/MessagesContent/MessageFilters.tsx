import { useState } from 'react';
import { Box, Button, TextField } from '@material-ui/core';
import useDebounce from 'react-use/esm/useDebounce';
import { useSearchParams } from 'react-router-dom';
import { DeadLetterFilter } from '@internal/plugin-dead-letter-common';

type FilterFields = Required<
  Pick<DeadLetterFilter, 'queue' | 'routingKey' | 'error' | 'from' | 'to'>
>;
const EMPTY: FilterFields = {
  queue: '',
  routingKey: '',
  error: '',
  from: '',
  to: '',
};

/** The fields, in order: id, label, and whether it is a time. */
const FIELDS: Array<[keyof FilterFields, string, string, boolean]> = [
  ['queue', 'dl-filter-queue', 'Queue', false],
  ['routingKey', 'dl-filter-routing-key', 'Routing key', false],
  ['error', 'dl-filter-error', 'Error contains', false],
  ['from', 'dl-filter-from', 'From', true],
  ['to', 'dl-filter-to', 'To', true],
];

/** `datetime-local` values are local times; the API wants ISO. */
function toApiFilter(service: string, f: FilterFields): DeadLetterFilter {
  const iso = (v: string) => (v ? new Date(v).toISOString() : undefined);
  return {
    service,
    queue: f.queue || undefined,
    routingKey: f.routingKey || undefined,
    error: f.error || undefined,
    from: iso(f.from),
    to: iso(f.to),
  };
}

/** An ISO time as a `datetime-local` value (local time, to the minute); '' if not a time. */
function toLocalField(iso: string | null): string {
  const time = iso ? new Date(iso) : null;
  if (!time || Number.isNaN(time.getTime())) return '';
  const local = new Date(time.getTime() - time.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/**
 * A service's message filter: what is typed, and the API filter it
 * becomes 400 ms after the typing stops (unchanged filters keep their
 * identity, so nothing is fetched again). A link's `?from=` and `?to=`
 * (ISO times, e.g. from an alert notification: serviceDeadLettersPath in
 * -common) fill the time range to start with.
 */
export function useMessageFilter(service: string) {
  const [params] = useSearchParams();
  const [initial] = useState<FilterFields>(() => ({
    ...EMPTY,
    from: toLocalField(params.get('from')),
    to: toLocalField(params.get('to')),
  }));
  const [fields, setFields] = useState<FilterFields>(initial);
  const [filter, setFilter] = useState(() => toApiFilter(service, initial));
  useDebounce(
    () => {
      const next = toApiFilter(service, fields);
      setFilter(prev =>
        JSON.stringify(prev) === JSON.stringify(next) ? prev : next,
      );
    },
    400,
    [fields, service],
  );
  return {
    fields,
    setFields,
    filter,
    /** Whether anything is typed in. */
    active: Object.values(fields).some(Boolean),
  };
}

/** The filter's fields (queue, routing key, error text, time range). */
export function MessageFilters(props: {
  state: ReturnType<typeof useMessageFilter>;
}) {
  const { fields, setFields, active } = props.state;
  return (
    <Box p={2} display="flex" flexWrap="wrap" style={{ gap: 12 }}>
      {FIELDS.map(([key, id, label, time]) => (
        <TextField
          key={key}
          id={id}
          label={label}
          size="small"
          variant="outlined"
          {...(time && {
            type: 'datetime-local',
            InputLabelProps: { shrink: true },
          })}
          value={fields[key]}
          onChange={e => {
            const value = e.target.value;
            setFields(f => ({ ...f, [key]: value }));
          }}
        />
      ))}
      {active && (
        <Button onClick={() => setFields(EMPTY)}>Clear filters</Button>
      )}
    </Box>
  );
}
