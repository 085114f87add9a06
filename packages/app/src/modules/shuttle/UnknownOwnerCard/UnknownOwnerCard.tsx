import useAsync from 'react-use/esm/useAsync';
import { WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { catalogApiRef, useEntity } from '@backstage/plugin-catalog-react';

import { LUNAR_ANNOTATIONS } from '@internal/plugin-lunar-common';

/**
 * "owner squad-juno is not a known squad" on the page of a component whose
 * owner group is not in the catalog. The mark is set at processing time; the
 * group is looked up again here, so a squad added since shows no warning.
 */
export function UnknownOwnerCard() {
  const { entity } = useEntity();
  const catalogApi = useApi(catalogApiRef);
  const owner = entity.metadata.annotations?.[LUNAR_ANNOTATIONS.unknownOwner];
  const { value: stillUnknown } = useAsync(async () => {
    if (!owner) return false;
    const found = await catalogApi.getEntityByRef(owner);
    return !found;
  }, [catalogApi, owner]);
  if (!owner || !stillUnknown) return null;
  const name = parseEntityRef(owner).name;
  return (
    <WarningPanel
      severity="warning"
      defaultExpanded
      title={`owner ${name} is not a known squad`}
      message={`There is no ${owner} in the catalog, so nobody is shown as owning this component. Add the squad to the organisation, or fix vars.squad in the repository's shuttle.yaml.`}
    />
  );
}
