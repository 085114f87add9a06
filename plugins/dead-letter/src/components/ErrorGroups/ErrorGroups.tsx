import { useState } from 'react';
import { Box, Button, Tooltip, Typography } from '@material-ui/core';
import {
  EmptyState,
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { ErrorGroup } from '@internal/plugin-dead-letter-common';
import { deadLetterApiRef } from '@internal/plugin-dead-letter-react';
import {
  ActionDialog,
  OutcomePanel,
  useActionPermissions,
  useActions,
} from '../Actions';
import { useDeadLetterTabLinks } from '../entityLinks';

type Kind = 'redeliver' | 'delete';

/**
 * Messages grouped by service and error text, largest first, for one
 * service or (without `service`) a whole environment. A whole group can be
 * redelivered or deleted after confirming how many messages that is.
 */
export function ErrorGroups(props: {
  environment: string;
  service?: string;
  /** Called after an action changed the stored messages. */
  onChanged?: () => void;
}) {
  const { environment, service, onChanged } = props;
  const api = useApi(deadLetterApiRef);
  const links = useDeadLetterTabLinks();
  const [reload, setReload] = useState(0);
  const groups = useAsync(
    () => api.errorGroups(environment, service),
    [api, environment, service, reload],
  );
  // Each row asks its own permission decisions; this one runs the action.
  const actions = useActions({
    onDone: () => {
      setReload(r => r + 1);
      onChanged?.();
    },
  });

  const ask = async (kind: Kind, row: ErrorGroup) => {
    if (row.error === null) return;
    // The filter matches error texts containing this one; say exactly how
    // many messages that is before anything happens.
    const filter = { service: row.service, error: row.error };
    const { totalCount } = await api.list(environment, filter, { limit: 1 });
    actions.request({
      kind,
      selection: { environment, filter },
      count: totalCount,
    });
  };

  if (groups.loading && !groups.value) return <Progress />;
  if (groups.error) return <ResponseErrorPanel error={groups.error} />;
  if (!groups.value?.length) {
    return (
      <EmptyState
        missing="data"
        title={`No dead letters for ${
          service ?? 'any service'
        } in ${environment}`}
        description="There are no error groups to show."
      />
    );
  }

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
    ...(service
      ? []
      : [
          {
            title: 'Service',
            field: 'service',
            render: (row: ErrorGroup) => (
              <Link to={links.service(row.service)}>{row.service}</Link>
            ),
          },
          {
            title: 'Squad',
            field: 'squad',
            render: (row: ErrorGroup) => row.squad ?? '',
          },
        ]),
    { title: 'Count', field: 'count', type: 'numeric' },
    {
      title: 'Newest',
      field: 'newest',
      render: row => new Date(row.newest).toLocaleString(),
    },
    {
      title: 'Actions',
      render: row => (
        <GroupButtons
          row={row}
          busy={actions.busy}
          onClick={kind => ask(kind, row)}
        />
      ),
    },
  ];

  return (
    <>
      {actions.outcome && (
        <Box mb={2}>
          <OutcomePanel outcome={actions.outcome} />
        </Box>
      )}
      <Table<ErrorGroup>
        title={service ? 'Error groups' : `Error groups in ${environment}`}
        options={{ paging: false, search: !service, padding: 'dense' }}
        columns={columns}
        data={groups.value}
      />
      <ActionDialog
        actions={actions}
        describe={({ kind, count, selection }) => {
          const whose = `of ${selection.filter?.service} whose error contains this text`;
          return kind === 'delete'
            ? `You are about to delete ${count} messages ${whose}. Deleted messages go to the archive (Archive tab), where they can be restored until they expire.`
            : `You are about to redeliver ${count} messages ${whose}.`;
        }}
      />
    </>
  );
}

/** A group's actions, enabled by the decisions for one of its messages. */
function GroupButtons(props: {
  row: ErrorGroup;
  busy: boolean;
  onClick: (kind: Kind) => void;
}) {
  const { row, busy, onClick } = props;
  const denied = useActionPermissions(row.sampleId);
  const button = (kind: Kind) => {
    const reason =
      denied[kind] ??
      (row.error === null
        ? 'Messages without an error text cannot be selected as a group'
        : '');
    const label = kind === 'delete' ? 'Delete group' : 'Redeliver group';
    return (
      <Tooltip title={reason}>
        <span>
          <Button
            size="small"
            color={kind === 'delete' ? 'secondary' : 'primary'}
            disabled={!!reason || busy}
            onClick={() => onClick(kind)}
            aria-label={`${label}: ${row.service}, ${
              row.error ?? 'no error text'
            }`}
          >
            {label}
          </Button>
        </span>
      </Tooltip>
    );
  };
  return (
    <Box display="flex">
      {button('redeliver')}
      {button('delete')}
    </Box>
  );
}
