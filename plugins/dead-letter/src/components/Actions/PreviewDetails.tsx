import {
  Box,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import { WarningPanel } from '@backstage/core-components';
import {
  RedeliveryBreakdown,
  RedeliveryDryRun,
} from '@internal/plugin-dead-letter-common';
import { plural } from '../format';

const count = (n: number) => n.toLocaleString('en-US');
const orNone = (v: string | null, none: string) =>
  v === null ? <em>{none}</em> : v;

/** One breakdown as a small table: its groups, largest first, then "other". */
function BreakdownTable<T>(props: {
  title: string;
  columns: string[];
  breakdown: RedeliveryBreakdown<T>;
  cells: (item: T) => React.ReactNode[];
}) {
  const { title, columns, breakdown, cells } = props;
  if (breakdown.items.length === 0) return null;
  const id = `dl-preview-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <Box mt={2}>
      <Typography variant="subtitle2" component="h3" id={id}>
        {title}
      </Typography>
      <Table size="small" aria-labelledby={id}>
        <TableHead>
          <TableRow>
            {columns.map(c => (
              <TableCell key={c}>{c}</TableCell>
            ))}
            <TableCell align="right">Messages</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {breakdown.items.map((item, i) => (
            <TableRow key={i}>
              {cells(item).map((cell, j) => (
                <TableCell key={j}>{cell}</TableCell>
              ))}
              <TableCell align="right">{count(item.count)}</TableCell>
            </TableRow>
          ))}
          {breakdown.other > 0 && (
            <TableRow>
              <TableCell colSpan={columns.length}>
                <em>Other</em>
              </TableCell>
              <TableCell align="right">{count(breakdown.other)}</TableCell>
            </TableRow>
          )}
        </TableBody>
      </Table>
    </Box>
  );
}

/**
 * What a dry run found, beyond the totals: warnings first (targets missing
 * on the broker, or not checked), then counts by target, service and error
 * group, and a few samples (metadata only).
 */
export function PreviewDetails(props: { preview: RedeliveryDryRun }) {
  const { preview: p } = props;
  const { byTarget, byService, byErrorGroup } = p.breakdown;
  return (
    <Box>
      {p.warnings.map(w => (
        <Box mt={1} key={`${w.code} ${w.exchange ?? ''} ${w.queue ?? ''}`}>
          <WarningPanel
            severity={w.code === 'targets-not-all-checked' ? 'info' : 'warning'}
            title={w.message}
          />
        </Box>
      ))}
      <Typography variant="caption" component="p">
        {p.checked.targets
          ? 'Exchanges (and queues of the default exchange) were checked on the broker; bindings cannot be checked, so a message without a matching binding fails as unroutable.'
          : 'Targets were not checked on the broker; bindings never can be.'}
      </Typography>
      <BreakdownTable
        title="By exchange and routing key"
        columns={['Exchange', 'Routing key']}
        breakdown={byTarget}
        cells={t => [
          t.exchange === '' ? (
            <em>(default exchange)</em>
          ) : (
            orNone(t.exchange, '(unknown)')
          ),
          orNone(t.routingKey, '(none)'),
        ]}
      />
      <BreakdownTable
        title="By service"
        columns={['Service']}
        breakdown={byService}
        cells={s => [orNone(s.service, '(no service)')]}
      />
      <BreakdownTable
        title="By error"
        columns={['Error group']}
        breakdown={byErrorGroup}
        cells={e => [orNone(e.errorGroup, '(no error)')]}
      />
      {p.samples.length > 0 && (
        <Box mt={2}>
          <Typography
            variant="subtitle2"
            component="h3"
            id="dl-preview-samples"
          >
            {`Samples (${plural(p.samples.length, 'message')})`}
          </Typography>
          <Table size="small" aria-labelledby="dl-preview-samples">
            <TableHead>
              <TableRow>
                <TableCell>Id</TableCell>
                <TableCell>Time</TableCell>
                <TableCell>Queue</TableCell>
                <TableCell>Routing key</TableCell>
                <TableCell>Service</TableCell>
                <TableCell>Error</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {p.samples.map(s => (
                <TableRow key={s.id}>
                  <TableCell>{s.id}</TableCell>
                  <TableCell>
                    {new Date(s.deadLetteredAt).toLocaleString('en-GB')}
                  </TableCell>
                  <TableCell>{orNone(s.queue, '(unknown)')}</TableCell>
                  <TableCell>{orNone(s.routingKey, '(none)')}</TableCell>
                  <TableCell>{orNone(s.service, '(no service)')}</TableCell>
                  <TableCell>{orNone(s.error, '(no error)')}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      )}
    </Box>
  );
}
