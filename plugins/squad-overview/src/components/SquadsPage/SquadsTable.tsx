import { Typography } from '@material-ui/core';
import {
  EmptyState,
  Link,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useEntityLink } from '../links';
import { SquadSummary } from '@internal/plugin-squad-overview-common';

/**
 * The squads, largest first: members, services by type, dead letters in
 * `environment` (when there is one) and services behind in `production`
 * (when release status answered).
 */
export function SquadsTable(props: {
  rows: SquadSummary[];
  environment: string | undefined;
  production: string | undefined;
}) {
  const { rows, environment, production } = props;
  const link = useEntityLink();
  const columns: TableColumn<SquadSummary>[] = [
    {
      title: 'Squad',
      field: 'name',
      highlight: true,
      render: row => (
        <>
          <Link to={link(row.entityRef)}>{row.name}</Link>
          {row.title !== row.name && (
            <Typography variant="body2" color="textSecondary">
              {row.title}
            </Typography>
          )}
        </>
      ),
    },
    { title: 'Members', field: 'members', type: 'numeric' },
    {
      title: 'Services',
      field: 'services',
      type: 'numeric',
      render: row => (
        <>
          {row.services}
          <Typography variant="body2" color="textSecondary">
            {Object.entries(row.servicesByType)
              .sort((a, b) => b[1] - a[1])
              .map(([t, n]) => `${t}: ${n}`)
              .join(', ')}
          </Typography>
        </>
      ),
    },
    ...(environment
      ? [
          {
            title: `Dead letters (${environment})`,
            type: 'numeric' as const,
            customSort: (a: SquadSummary, b: SquadSummary) =>
              (a.deadLetters[environment] ?? 0) -
              (b.deadLetters[environment] ?? 0),
            render: (row: SquadSummary) => (
              <Link to={link(row.entityRef, '/dead-letter')}>
                {(row.deadLetters[environment] ?? 0).toLocaleString('en-US')}
              </Link>
            ),
          },
        ]
      : []),
    ...(production
      ? [
          {
            title: `Behind in ${production}`,
            field: 'behindInProduction',
            type: 'numeric' as const,
            render: (row: SquadSummary) => row.behindInProduction ?? '',
          },
        ]
      : []),
  ];

  if (!rows.length) {
    return (
      <EmptyState
        missing="data"
        title="No squads in the catalog"
        description="Squads are Group entities with spec.type: squad."
      />
    );
  }
  return (
    <Table<SquadSummary>
      title={`${rows.length} squads`}
      options={{ paging: false, search: true, padding: 'dense' }}
      columns={columns}
      data={rows}
    />
  );
}
