import { useState } from 'react';
import { Box, Grid, Tab, Tabs } from '@material-ui/core';
import { useEntity } from '@backstage/plugin-catalog-react';
import { EnvironmentState, WithEnvironment } from '../EnvironmentPicker';
import { ErrorGroups } from '../ErrorGroups';
import { MessageTable } from './MessageTable';
import { RedeliveriesTable } from '../Redeliveries';

/** A component's DEAD LETTER tab: its messages and error groups. */
export function MessagesContent() {
  const { entity } = useEntity();
  const service = entity.metadata.name;
  const [tab, setTab] = useState(0);
  return (
    <WithEnvironment>
      {(selected, picker) => (
        <Grid container spacing={2}>
          <Grid item xs={12}>
            <Box display="flex" alignItems="center" style={{ gap: 16 }}>
              {picker}
              <Tabs
                value={tab}
                onChange={(_, v) => setTab(v)}
                indicatorColor="primary"
              >
                <Tab label="Messages" />
                <Tab label="Error groups" />
                <Tab label="Redeliveries" />
              </Tabs>
            </Box>
          </Grid>
          <Grid item xs={12}>
            <EnvironmentState environment={selected} />
          </Grid>
          <Grid item xs={12}>
            {tab === 0 && (
              <MessageTable environment={selected} service={service} />
            )}
            {tab === 1 && (
              <ErrorGroups environment={selected.name} service={service} />
            )}
            {tab === 2 && (
              <RedeliveriesTable
                environment={selected.name}
                service={service}
              />
            )}
          </Grid>
        </Grid>
      )}
    </WithEnvironment>
  );
}
