import { ReactNode, useState } from 'react';
import { Grid, Typography } from '@material-ui/core';
import {
  ContentHeader,
  EmptyState,
  Header,
  InfoCard,
  Link,
  Page,
  Progress,
  ResponseErrorPanel,
  TabbedLayout,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import {
  EnvironmentStatus,
  SquadOverview,
} from '@internal/plugin-dead-letter-common';
import { deadLetterApiRef } from '@internal/plugin-dead-letter-react';
import { EnvironmentState, WithEnvironment } from '../EnvironmentPicker';
import { ArchiveContent } from '../ArchiveContent';
import { ErrorGroups } from '../ErrorGroups';
import { HourlyChart } from '../HourlyChart';
import { RedeliveriesTable } from '../Redeliveries';
import { useDeadLetterTabLinks } from '../entityLinks';

/**
 * The Dead Letter page: per environment, every squad's messages (Overview),
 * the redelivery jobs, live and steerable (Redeliveries), and the deleted
 * and redelivered messages, restorable (Archive).
 */
export function DeadLetterPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Dead Letter"
        subtitle="Messages RabbitMQ dead-lettered, per squad and service"
      />
      <TabbedLayout>
        <TabbedLayout.Route path="/" title="Overview">
          <EnvironmentTab title="Squads overview">
            {selected => (
              <>
                <EnvironmentState environment={selected} />
                <SquadsOverview environment={selected.name} />
              </>
            )}
          </EnvironmentTab>
        </TabbedLayout.Route>
        <TabbedLayout.Route path="/redeliveries" title="Redeliveries">
          <EnvironmentTab title="Redeliveries">
            {selected => <RedeliveriesTable environment={selected.name} />}
          </EnvironmentTab>
        </TabbedLayout.Route>
        <TabbedLayout.Route path="/archive" title="Archive">
          <EnvironmentTab title="Archive">
            {selected => <ArchiveContent environment={selected} />}
          </EnvironmentTab>
        </TabbedLayout.Route>
      </TabbedLayout>
    </Page>
  );
}

/** A tab of the page: its title with the environment picker, then its view. */
function EnvironmentTab(props: {
  title: string;
  children: (selected: EnvironmentStatus) => ReactNode;
}) {
  return (
    <WithEnvironment>
      {(selected, picker) => (
        <>
          <ContentHeader title={`${props.title}: ${selected.name}`}>
            {picker}
          </ContentHeader>
          {props.children(selected)}
        </>
      )}
    </WithEnvironment>
  );
}

function SquadsOverview(props: { environment: string }) {
  const { environment } = props;
  const api = useApi(deadLetterApiRef);
  const links = useDeadLetterTabLinks();
  const [reload, setReload] = useState(0);
  const { value, loading, error } = useAsync(
    () => api.squadOverview(environment),
    [api, environment, reload],
  );
  // A reload keeps the page (and an action's outcome) on screen.
  if (loading && !value) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  const rows = value ?? [];
  const total = rows.reduce((sum, r) => sum + r.count, 0);

  const columns: TableColumn<SquadOverview>[] = [
    {
      title: 'Squad',
      field: 'squad',
      render: row =>
        row.squad ? (
          <Link to={links.squad(row.squad)}>{row.squad}</Link>
        ) : (
          <Typography variant="body2" color="textSecondary">
            (no owner in the catalog)
          </Typography>
        ),
    },
    {
      title: 'Messages',
      field: 'count',
      type: 'numeric',
      render: row => row.count.toLocaleString('en-US'),
    },
  ];

  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={4}>
        <InfoCard title="Totals">
          <Typography variant="h3" component="p" aria-label="Messages in total">
            {total.toLocaleString('en-US')}
          </Typography>
          <Typography variant="body2" color="textSecondary">
            messages in {environment}, from{' '}
            {rows.length.toLocaleString('en-US')}{' '}
            {rows.length === 1 ? 'squad' : 'squads'}
          </Typography>
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={8}>
        <InfoCard title="Dead-lettered per hour">
          <HourlyChart environment={environment} groupBy="squad" />
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        {rows.length === 0 ? (
          <EmptyState
            missing="data"
            title={`No dead letters in ${environment}`}
            description="Nothing has been dead-lettered here, or everything was redelivered or deleted."
          />
        ) : (
          <Table<SquadOverview>
            title="Squads overview"
            options={{ paging: false, search: true, padding: 'dense' }}
            columns={columns}
            data={rows}
          />
        )}
      </Grid>
      {rows.length > 0 && (
        <Grid item xs={12}>
          <ErrorGroups
            environment={environment}
            onChanged={() => setReload(r => r + 1)}
          />
        </Grid>
      )}
    </Grid>
  );
}
