import { Box } from '@material-ui/core';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { useSquadOverview } from '../../hooks/useSquadOverview';
import { KeyNumbers, PartErrors } from './KeyNumbers';
import { ServicesTable } from './ServicesTable';

/**
 * A squad's day at a glance, on its overview: key numbers against targets
 * and every owned service with its release state and dead letters.
 */
export function SquadOverviewCard() {
  const { entity } = useEntity();
  const squadRef = stringifyEntityRef(entity);
  const { value, loading, error } = useSquadOverview(squadRef);
  return (
    <InfoCard
      title="Squad overview"
      subheader="Services, dead letters and release drift today"
    >
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && (
        <>
          <PartErrors data={value} />
          <KeyNumbers squadRef={squadRef} data={value} />
          <Box mt={2}>
            {value.services.length ? (
              <ServicesTable data={value} />
            ) : (
              <EmptyState
                missing="data"
                title={`${entity.metadata.name} owns no components`}
                description="Components are owned through spec.owner (shuttle.yaml vars.squad)."
              />
            )}
          </Box>
        </>
      )}
    </InfoCard>
  );
}
