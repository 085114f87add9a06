import { Typography } from '@material-ui/core';
import {
  EmptyState,
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { PullRequest } from '@internal/plugin-squad-overview-common';
import { useSquadOverview } from '../../hooks/useSquadOverview';
import { cardTableOptions } from '../tableOptions';

const columns: TableColumn<PullRequest>[] = [
  {
    title: 'ID',
    field: 'number',
    width: '80px',
    render: pr => <Link to={pr.url}>#{pr.number}</Link>,
  },
  {
    title: 'Title',
    field: 'title',
    render: pr => (
      <>
        {pr.title}
        {pr.draft && (
          <Typography component="span" variant="caption" color="textSecondary">
            {' '}
            (draft)
          </Typography>
        )}
      </>
    ),
  },
  { title: 'Repository', field: 'repository' },
  { title: 'Author', field: 'author', render: pr => pr.author ?? 'ghost' },
  {
    title: 'Last updated',
    field: 'updatedAt',
    render: pr => (
      <time dateTime={pr.updatedAt}>
        {new Date(pr.updatedAt).toLocaleString()}
      </time>
    ),
  },
];

/** Open pull requests across the squad's repositories (GitHub). */
export function PullRequestsCard() {
  const { entity } = useEntity();
  const overview = useSquadOverview(stringifyEntityRef(entity));
  const { loading, error } = overview;
  const value = overview.value?.pullRequests;
  return (
    <InfoCard
      title="Open PRs"
      subheader="Across the squad's repositories, newest update first"
    >
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value?.state === 'not-configured' && (
        <EmptyState
          missing="info"
          title="Open pull requests need GitHub"
          description={value.message}
        />
      )}
      {value?.state === 'error' && (
        <WarningPanel
          severity="error"
          title="GitHub could not be asked for pull requests"
          message={value.message}
        />
      )}
      {value?.state === 'ok' && (
        <>
          {value.missing.length > 0 && (
            <Typography variant="body2" color="textSecondary">
              GitHub does not know {value.missing.join(', ')}.
            </Typography>
          )}
          {value.items.length ? (
            <Table<PullRequest>
              columns={columns}
              data={value.items}
              options={cardTableOptions(value.items.length)}
            />
          ) : (
            <EmptyState
              missing="data"
              title="No open pull requests"
              description={`None in the squad's ${value.repositories} repositories.`}
            />
          )}
        </>
      )}
    </InfoCard>
  );
}
