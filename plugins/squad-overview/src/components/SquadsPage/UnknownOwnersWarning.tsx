import { Link, WarningPanel } from '@backstage/core-components';
import { parseEntityRef } from '@backstage/catalog-model';
import { useEntityLink } from '../links';
import { UnknownOwner } from '@internal/plugin-squad-overview-common';

/** Owners that are not in the catalog, with the components they are said to own. */
export function UnknownOwnersWarning(props: { owners: UnknownOwner[] }) {
  const { owners } = props;
  const link = useEntityLink();
  return (
    <WarningPanel
      severity="warning"
      defaultExpanded
      title={`${owners.length} owner${
        owners.length === 1 ? ' is' : 's are'
      } not in the catalog`}
      message={
        <>
          <ul>
            {owners.map(owner => (
              <li key={owner.entityRef}>
                owner {owner.name} is not a known squad:{' '}
                {owner.components.map((ref, i) => (
                  <span key={ref}>
                    {i > 0 && ', '}
                    <Link to={link(ref)}>{parseEntityRef(ref).name}</Link>
                  </span>
                ))}
              </li>
            ))}
          </ul>
          Add the squad to the organisation, or fix vars.squad in the
          repository's shuttle.yaml.
        </>
      }
    />
  );
}
