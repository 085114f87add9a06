import { useState } from 'react';
import { Box, Button, Tooltip, Typography } from '@material-ui/core';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { ErrorGroup } from '@internal/plugin-dead-letter-common';
import { deadLetterApiRef } from '../../api';
import { ActionDialog, useActions } from '../Actions';

/**
 * A service's messages grouped by error text, largest first; a whole group
 * can be redelivered or deleted after confirming how many messages that is.
 */
export function ErrorGroups(props: { environment: string; service: string }) {
  const { environment, service } = props;
  const api = useApi(deadLetterApiRef);
  const [reload, setReload] = useState(0);
  const groups = useAsync(
    () => api.errorGroups(environment, service),
    [api, environment, service, reload],
  );
  const sample = useAsync(
    () => api.list(environment, { service }, { limit: 1 }),
    [api, environment, service, reload],
  );
  const actions = useActions({
    sampleId: sample.value?.items[0]?.id,
    onDone: () => setReload(r => r + 1),
  });

  const ask = async (kind: 'redeliver' | 'delete', error: string) => {
    // The filter matches error texts containing this one; say exactly how
    // many messages that is before anything happens.
    const filter = { service, error };
    const { totalCount } = await api.list(environment, filter, { limit: 1 });
    actions.request({
      kind,
      selection: { environment, filter },
      count: totalCount,
    });
  };

  if (groups.loading) return <Progress />;
  if (groups.error) return <ResponseErrorPanel error={groups.error} />;
  if (!groups.value?.length) {
    return (
      <EmptyState
        missing="data"
        title={`No dead letters for ${service} in ${environment}`}
        description="There are no error groups to show."
      />
    );
  }

  const button = (kind: 'redeliver' | 'delete', row: ErrorGroup) => {
    const reason =
      actions.denied[kind] ??
      (row.error === null
        ? 'Messages without an error text cannot be selected as a group'
        : '');
    return (
      <Tooltip title={reason}>
        <span>
          <Button
            size="small"
            color={kind === 'delete' ? 'secondary' : 'primary'}
            disabled={!!reason || actions.busy}
            onClick={() => row.error !== null && ask(kind, row.error)}
          >
            {kind === 'delete' ? 'Delete group' : 'Redeliver group'}
          </Button>
        </span>
      </Tooltip>
    );
  };

  const columns: TableColumn<ErrorGroup>[] = [
    {
      title: 'Error',
      field: 'error',
      render: row =>
        row.error ?? (
          <Typography variant="body2" color="textSecondary">
            (no error text)
          </Typography>
        ),
    },
    { title: 'Count', field: 'count', type: 'numeric' },
    {
      title: 'Newest',
      field: 'newest',
      render: row => new Date(row.newest).toLocaleString(),
    },
    {
      title: 'Actions',
      render: row => (
        <Box display="flex">
          {button('redeliver', row)}
          {button('delete', row)}
        </Box>
      ),
    },
  ];

  return (
    <>
      {actions.outcome && (
        <Box mb={2} role="status">
          <WarningPanel
            severity={actions.outcome.severity}
            title={actions.outcome.text}
          />
        </Box>
      )}
      <Table<ErrorGroup>
        title="Error groups"
        options={{ paging: false, search: false, padding: 'dense' }}
        columns={columns}
        data={groups.value}
      />
      <ActionDialog
        actions={actions}
        describe={({ kind, count }) =>
          kind === 'delete'
            ? `This action is destructive and cannot be undone. You are about to delete ${count} messages whose error contains this text.`
            : `You are about to redeliver ${count} messages whose error contains this text.`
        }
      />
    </>
  );
}
