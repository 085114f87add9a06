import { useState } from 'react';
import {
  Box,
  Button,
  Checkbox,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Tooltip,
  Typography,
} from '@material-ui/core';
import {
  EmptyState,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import {
  DeadLetterSelection,
  EnvironmentStatus,
} from '@internal/plugin-dead-letter-common';
import { deadLetterApiRef } from '@internal/plugin-dead-letter-react';
import { ActionDialog, OutcomePanel, useActions } from '../Actions';
import { MessageDrawer } from '../MessageDrawer';
import { MessageFilters, useMessageFilter } from './MessageFilters';
import { CursorPagination, useCursorPages } from '../Paging';
import { plural } from '../format';

/**
 * A service's messages, newest first, paged on the server (cursor pages;
 * the cursors of visited pages are kept to go back). Rows are selectable;
 * redeliver and delete apply to the selection or to everything matching
 * the filter.
 */
export function MessageTable(props: {
  environment: EnvironmentStatus;
  service: string;
}) {
  const { environment, service } = props;
  const api = useApi(deadLetterApiRef);
  const filterState = useMessageFilter(service);
  const { filter } = filterState;
  const [rowsPerPage, setRowsPerPage] = useState(50);
  const [reload, setReload] = useState(0);
  const [openId, setOpenId] = useState<string>();

  // What is listed. A new filter, page size, environment or a finished
  // action starts again at page one, with nothing selected.
  const query = JSON.stringify([environment.name, filter, rowsPerPage, reload]);
  const pages = useCursorPages(query);
  const { cursor, selected } = pages;
  const { value, loading, error } = useAsync(
    () => api.list(environment.name, filter, { limit: rowsPerPage, cursor }),
    [api, query, cursor],
  );
  const items = value?.items ?? [];
  const total = value?.totalCount ?? 0;

  // A message without a squad (its service had no owner in the catalog when
  // it arrived) would deny the page's actions to everyone: ask with one
  // that has a squad when there is one.
  const actions = useActions({
    sampleId: (items.find(i => i.squad) ?? items[0])?.id,
    onDone: () => setReload(r => r + 1),
  });

  const selection = (ids?: string[]): DeadLetterSelection =>
    ids
      ? { environment: environment.name, ids }
      : { environment: environment.name, filter };

  const allOnPage = items.length > 0 && items.every(i => selected.has(i.id));
  const toggleAll = () =>
    pages.selectOnly(allOnPage ? undefined : items.map(i => i.id));

  const actionButton = (
    label: string,
    kind: 'redeliver' | 'delete',
    ids: string[] | undefined,
    count: number,
  ) => {
    const denied = actions.denied[kind];
    return (
      <Tooltip title={denied ?? ''}>
        <span>
          <Button
            variant={ids ? 'contained' : 'outlined'}
            color={kind === 'delete' ? 'secondary' : 'primary'}
            disabled={!!denied || count === 0 || actions.busy}
            onClick={() =>
              actions.request({ kind, selection: selection(ids), count })
            }
          >
            {label}
          </Button>
        </span>
      </Tooltip>
    );
  };

  return (
    <Paper>
      <MessageFilters state={filterState} />

      {actions.outcome && (
        <Box px={2}>
          <OutcomePanel outcome={actions.outcome} />
        </Box>
      )}

      <Box
        px={2}
        py={1}
        display="flex"
        alignItems="center"
        flexWrap="wrap"
        style={{ gap: 8 }}
      >
        <Typography variant="body2" style={{ marginRight: 8 }}>
          {selected.size > 0
            ? `${selected.size} row(s) selected`
            : `${plural(total, 'message')} match`}
        </Typography>
        {actionButton('Redeliver', 'redeliver', [...selected], selected.size)}
        {actionButton('Delete', 'delete', [...selected], selected.size)}
        {actionButton(
          `Redeliver all ${total.toLocaleString('en-US')}`,
          'redeliver',
          undefined,
          total,
        )}
        {actionButton(
          `Delete all ${total.toLocaleString('en-US')}`,
          'delete',
          undefined,
          total,
        )}
      </Box>

      {error && <ResponseErrorPanel error={error} />}
      {loading && <Progress />}
      {!loading && !error && items.length === 0 && (
        <EmptyState
          missing="data"
          title={`No dead letters for ${service} in ${environment.name}`}
          description={
            filterState.active
              ? 'Nothing matches the filters.'
              : 'Nothing of this service is dead-lettered here.'
          }
        />
      )}
      {!loading && items.length > 0 && (
        <Table size="small" aria-label="Dead-lettered messages">
          <TableHead>
            <TableRow>
              <TableCell padding="checkbox">
                <Checkbox
                  checked={allOnPage}
                  indeterminate={selected.size > 0 && !allOnPage}
                  onChange={toggleAll}
                  inputProps={{ 'aria-label': 'Select all on this page' }}
                />
              </TableCell>
              <TableCell>Timestamp</TableCell>
              <TableCell>Queue</TableCell>
              <TableCell>Routing key</TableCell>
              <TableCell>Message ID</TableCell>
              <TableCell>Correlation ID</TableCell>
              <TableCell>Error</TableCell>
              <TableCell>Logs</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {items.map(m => (
              <TableRow key={m.id} hover selected={selected.has(m.id)}>
                <TableCell padding="checkbox">
                  <Checkbox
                    checked={selected.has(m.id)}
                    onChange={() => pages.toggle(m.id)}
                    inputProps={{
                      'aria-label': `Select message ${m.messageId ?? m.id}`,
                    }}
                  />
                </TableCell>
                <TableCell>
                  <Link
                    to="#"
                    onClick={e => {
                      e.preventDefault();
                      setOpenId(m.id);
                    }}
                    aria-label={`Details of message ${m.messageId ?? m.id}`}
                  >
                    {new Date(m.deadLetteredAt).toLocaleString()}
                  </Link>
                </TableCell>
                <TableCell>{m.queue ?? '—'}</TableCell>
                <TableCell>{m.routingKey ?? '—'}</TableCell>
                <TableCell>{m.messageId ?? '—'}</TableCell>
                <TableCell>{m.correlationId ?? '—'}</TableCell>
                <TableCell style={{ maxWidth: 360, wordBreak: 'break-word' }}>
                  {m.error ?? m.reason ?? '—'}
                </TableCell>
                <TableCell>
                  {m.logsUrl ? (
                    <Link to={m.logsUrl} target="_blank" rel="noopener">
                      Logs
                    </Link>
                  ) : (
                    '—'
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <CursorPagination
        pages={pages}
        total={total}
        nextCursor={value?.nextCursor}
        rowsPerPage={rowsPerPage}
        onRowsPerPage={setRowsPerPage}
      />

      <ActionDialog
        actions={actions}
        describe={({ kind, count }) =>
          kind === 'delete'
            ? `You are about to delete ${plural(
                count,
                'message',
              )}. Deleted messages go to the archive (Dead Letter page, Archive tab), where they can be restored until they expire.`
            : `You are about to publish ${plural(count, 'message')} back to ${
                count === 1 ? 'its' : 'their'
              } original exchange and routing key.`
        }
      />
      <MessageDrawer id={openId} onClose={() => setOpenId(undefined)} />
    </Paper>
  );
}
