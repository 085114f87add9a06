import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { catalogApiRef, EntityRefLink } from '@backstage/plugin-catalog-react';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import useAsync from 'react-use/esm/useAsync';

/** How many owned entities the card lists before it stops. */
export const OWNED_ENTITIES_LIMIT = 20;

/**
 * The entities owned by the signed-in user or by any group the user belongs
 * to (the identity's ownership references), components first.
 */
export const OwnedEntities = () => {
  const catalogApi = useApi(catalogApiRef);
  const identityApi = useApi(identityApiRef);

  const { value, loading, error } = useAsync(async () => {
    const { ownershipEntityRefs } = await identityApi.getBackstageIdentity();
    if (ownershipEntityRefs.length === 0) {
      return { items: [] as Entity[], totalItems: 0 };
    }
    return catalogApi.queryEntities({
      filter: { 'relations.ownedBy': ownershipEntityRefs },
      orderFields: [
        { field: 'kind', order: 'asc' },
        { field: 'metadata.name', order: 'asc' },
      ],
      limit: OWNED_ENTITIES_LIMIT,
    });
  }, [catalogApi, identityApi]);

  if (loading) {
    return <Progress />;
  }
  if (error) {
    return <ResponseErrorPanel error={error} />;
  }
  if (!value || value.items.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="You own nothing yet"
        description="Entities owned by you or your squad show up here."
      />
    );
  }
  return (
    <List dense aria-label="Owned entities">
      {value.items.map(entity => (
        <ListItem key={stringifyEntityRef(entity)}>
          <ListItemText
            primary={<EntityRefLink entityRef={entity} />}
            secondary={[entity.kind, entity.spec?.type]
              .filter(Boolean)
              .join(' · ')}
          />
        </ListItem>
      ))}
      {value.totalItems > value.items.length && (
        <ListItem>
          <ListItemText
            secondary={`and ${value.totalItems - value.items.length} more`}
          />
        </ListItem>
      )}
    </List>
  );
};
