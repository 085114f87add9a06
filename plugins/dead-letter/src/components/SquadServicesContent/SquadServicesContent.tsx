import { Grid, Typography } from '@material-ui/core';
import {
  EmptyState,
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import useAsync from 'react-use/esm/useAsync';
import { ServiceOverview } from '@internal/plugin-dead-letter-common';
import { deadLetterApiRef } from '@internal/plugin-dead-letter-react';
import { EnvironmentState, WithEnvironment } from '../EnvironmentPicker';
import { HourlyChart } from '../HourlyChart';
import { RedeliveriesTable } from '../Redeliveries';
import { useDeadLetterTabLinks } from '../entityLinks';

/** A squad's DEAD LETTER tab: its dead-lettered services with counts. */
export function SquadServicesContent() {
  const { entity } = useEntity();
  const squad = entity.metadata.name;
  return (
    <WithEnvironment>
      {(selected, picker) => (
        <Grid container spacing={3}>
          <Grid item xs={12}>
            {picker}
          </Grid>
          <Grid item xs={12}>
            <EnvironmentState environment={selected} />
          </Grid>
          <Grid item xs={12}>
            <InfoCard title="Dead-lettered per hour, by service">
              <HourlyChart
                environment={selected.name}
                groupBy="service"
                squad={squad}
              />
            </InfoCard>
          </Grid>
          <Grid item xs={12}>
            <Services environment={selected.name} squad={squad} />
          </Grid>
          <Grid item xs={12}>
            <RedeliveriesTable environment={selected.name} squad={squad} />
          </Grid>
        </Grid>
      )}
    </WithEnvironment>
  );
}

function Services(props: { environment: string; squad: string }) {
  const { environment, squad } = props;
  const api = useApi(deadLetterApiRef);
  const links = useDeadLetterTabLinks();
  const { value, loading, error } = useAsync(
    () => api.serviceOverview(environment, squad),
    [api, environment, squad],
  );
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value?.length) {
    return (
      <EmptyState
        missing="data"
        title={`No dead letters for ${squad} in ${environment}`}
        description="None of this squad's services has dead-lettered messages here."
      />
    );
  }
  const columns: TableColumn<ServiceOverview>[] = [
    {
      title: 'Service',
      field: 'service',
      render: row =>
        row.service ? (
          <Link to={links.service(row.service)}>{row.service}</Link>
        ) : (
          <Typography variant="body2" color="textSecondary">
            (unknown service)
          </Typography>
        ),
    },
    {
      title: 'Count',
      field: 'count',
      type: 'numeric',
      render: row => row.count.toLocaleString('en-US'),
    },
    {
      title: 'Oldest',
      field: 'oldest',
      render: row => new Date(row.oldest).toLocaleString(),
    },
    {
      title: 'Newest',
      field: 'newest',
      render: row => new Date(row.newest).toLocaleString(),
    },
  ];
  return (
    <Table<ServiceOverview>
      title="Dead lettered services"
      options={{ paging: false, search: false, padding: 'dense' }}
      columns={columns}
      data={value}
    />
  );
}
