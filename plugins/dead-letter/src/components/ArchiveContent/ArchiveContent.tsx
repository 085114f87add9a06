import { useState } from 'react';
import {
  Box,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  MenuItem,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Tooltip,
  Typography,
} from '@material-ui/core';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import useAsync from 'react-use/esm/useAsync';
import {
  ArchiveReason,
  EnvironmentStatus,
  RestoreSkipReason,
  deadLetterMessageDeletePermission,
} from '@internal/plugin-dead-letter-common';
import { deadLetterApiRef } from '@internal/plugin-dead-letter-react';
import { ActionOutcome, OutcomePanel, reasonOf } from '../Actions';
import { useReadOnlyReason } from '../Actions/readOnly';
import { CursorPagination, useCursorPages } from '../Paging';
import { plural } from '../format';

const SKIPPED: Record<RestoreSkipReason, string> = {
  'already-present': 'already among the dead letters (restored before)',
  'not-archived': 'no longer in the archive (expired, or restored)',
  'stored-again':
    'the same message was dead-lettered again since, under another id',
};

/**
 * An environment's archive: deleted and redelivered messages, latest
 * archived first, with why, who, when and until when; selected ones can be
 * restored (after confirming) by whoever may delete them.
 */
export function ArchiveContent(props: { environment: EnvironmentStatus }) {
  const { environment } = props;
  const api = useApi(deadLetterApiRef);
  const readOnly = useReadOnlyReason();
  const [rowsPerPage, setRowsPerPage] = useState(50);
  const [reload, setReload] = useState(0);
  const [reason, setReason] = useState<ArchiveReason | ''>('');
  // A new environment, reason filter, page size or a restore starts again
  // at page one with nothing selected.
  const query = JSON.stringify([environment.name, reason, rowsPerPage, reload]);
  const pages = useCursorPages(query);
  const { cursor, selected } = pages;
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<ActionOutcome>();

  const { value, loading, error } = useAsync(
    () =>
      api.listArchive(
        environment.name,
        { archiveReason: reason || undefined },
        { limit: rowsPerPage, cursor },
      ),
    [api, query, cursor],
  );
  const items = value?.items ?? [];
  const total = value?.totalCount ?? 0;

  // Restoring undoes a delete: the delete permission decides, asked for
  // the first selected message (the backend checks every one).
  const first = [...selected][0];
  const permission = usePermission({
    permission: deadLetterMessageDeletePermission,
    resourceRef: first,
  });
  const denied =
    readOnly ??
    (first && !permission.loading && !permission.allowed
      ? 'You may not restore these messages: only members of the squad that owns the service can.'
      : undefined);

  const allOnPage = items.length > 0 && items.every(i => selected.has(i.id));
  const toggleAll = () =>
    pages.selectOnly(allOnPage ? undefined : items.map(i => i.id));

  const restore = async () => {
    setBusy(true);
    try {
      const result = await api.restore({
        environment: environment.name,
        ids: [...selected],
      });
      const skipped = result.skipped.length;
      setOutcome({
        severity: skipped ? 'warning' : 'info',
        text: `${result.restored.length} restored${
          skipped ? `, ${skipped} not restored` : ''
        }.`,
        details: result.skipped.map(s => `${s.id}: ${SKIPPED[s.reason]}`),
      });
    } catch (e) {
      setOutcome({
        severity: 'error',
        text: `Could not restore: ${reasonOf(e)}`,
        details: [],
      });
    } finally {
      setBusy(false);
      setConfirming(false);
      setReload(r => r + 1);
    }
  };

  const time = (iso: string) => new Date(iso).toLocaleString();

  return (
    <Paper>
      {outcome && (
        <Box px={2} pt={2}>
          <OutcomePanel outcome={outcome} />
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
        <TextField
          select
          id="dl-archive-reason"
          label="Reason"
          size="small"
          variant="outlined"
          value={reason}
          onChange={e => setReason(e.target.value as ArchiveReason | '')}
          SelectProps={{ displayEmpty: true }}
          InputLabelProps={{ shrink: true }}
          style={{ minWidth: 160 }}
        >
          <MenuItem value="">All</MenuItem>
          <MenuItem value="deleted">Deleted</MenuItem>
          <MenuItem value="redelivered">Redelivered</MenuItem>
        </TextField>
        <Typography variant="body2" style={{ marginRight: 8 }}>
          {selected.size > 0
            ? `${selected.size} row(s) selected`
            : `${plural(total, 'archived message')}`}
        </Typography>
        <Tooltip title={denied ?? ''}>
          <span>
            <Button
              variant="contained"
              color="primary"
              disabled={!!denied || selected.size === 0 || busy}
              onClick={() => setConfirming(true)}
            >
              Restore
            </Button>
          </span>
        </Tooltip>
      </Box>

      {error && <ResponseErrorPanel error={error} />}
      {loading && <Progress />}
      {!loading && !error && items.length === 0 && (
        <EmptyState
          missing="data"
          title={`Nothing archived in ${environment.name}`}
          description={
            reason
              ? `No ${reason} messages are archived here.`
              : 'Deleted and redelivered messages are kept here, restorable, until they expire.'
          }
        />
      )}
      {!loading && !error && items.length > 0 && (
        <Table size="small" aria-label="Archived messages">
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
              <TableCell>Archived</TableCell>
              <TableCell>Reason</TableCell>
              <TableCell>By</TableCell>
              <TableCell>Expires</TableCell>
              <TableCell>Service</TableCell>
              <TableCell>Message ID</TableCell>
              <TableCell>Error</TableCell>
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
                      'aria-label': `Select archived message ${
                        m.messageId ?? m.id
                      }`,
                    }}
                  />
                </TableCell>
                <TableCell>{time(m.archivedAt)}</TableCell>
                <TableCell>{m.archiveReason}</TableCell>
                <TableCell>
                  {m.archivedBy?.replace(/^user:(default\/)?/, '') ?? '—'}
                </TableCell>
                <TableCell>{time(m.expiresAt)}</TableCell>
                <TableCell>{m.service ?? '—'}</TableCell>
                <TableCell>{m.messageId ?? '—'}</TableCell>
                <TableCell style={{ maxWidth: 360, wordBreak: 'break-word' }}>
                  {m.error ?? m.reason ?? '—'}
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

      <Dialog
        open={confirming}
        onClose={() => !busy && setConfirming(false)}
        aria-labelledby="dl-restore-title"
      >
        <DialogTitle id="dl-restore-title">Confirm restore</DialogTitle>
        <DialogContent>
          <DialogContentText>
            {`You are about to restore ${plural(
              selected.size,
              'message',
            )} to the dead letters of ${
              environment.name
            }, with the id, body, headers and properties they had.`}
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirming(false)} disabled={busy}>
            Cancel
          </Button>
          <Button
            onClick={restore}
            color="primary"
            variant="contained"
            disabled={busy}
          >
            Restore
          </Button>
        </DialogActions>
      </Dialog>
    </Paper>
  );
}
