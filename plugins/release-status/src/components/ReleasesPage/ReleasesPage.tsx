import {
  Box,
  FormControl,
  InputLabel,
  MenuItem,
  Select,
  Typography,
} from '@material-ui/core';
import {
  Content,
  ContentHeader,
  EmptyState,
  Header,
  Link,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { useRouteRef } from '@backstage/core-plugin-api';
import {
  catalogApiRef,
  entityRouteParams,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { parseEntityRefParameter } from '@internal/plugin-lunar-common';
import useAsync from 'react-use/esm/useAsync';
import { useSearchParams } from 'react-router-dom';
import {
  ReleaseStatus,
  releaseLabel,
} from '@internal/plugin-release-status-common';
import {
  DriftBadge,
  releaseStatusApiRef,
  useEnvironments,
} from '@internal/plugin-release-status-react';

/**
 * `?owner=` as the full reference the squad picker uses: `squad-nasa` is
 * `group:default/squad-nasa`, as the backend reads it. Anything that is not
 * a reference is passed on for the backend to refuse with its reason.
 */
function squadRef(owner: string | null): string {
  if (!owner) return '';
  try {
    return stringifyEntityRef(
      parseEntityRefParameter(owner, { name: 'owner', defaultKind: 'group' }),
    );
  } catch {
    return owner;
  }
}

/** The Releases page: every service's environments, worst drift first. */
export function ReleasesPage() {
  const api = useApi(releaseStatusApiRef);
  const catalogApi = useApi(catalogApiRef);
  const entityRoute = useRouteRef(entityRouteRef);
  const { production } = useEnvironments();
  const [params, setParams] = useSearchParams();
  const owner = squadRef(params.get('owner'));

  // Squads own the services (org.yaml: spec.type squad); the organization
  // group and other kinds of group own none directly.
  const squads = useAsync(async () => {
    const { items } = await catalogApi.getEntities({
      filter: { kind: 'group', 'spec.type': 'squad' },
      fields: ['kind', 'metadata.name', 'metadata.namespace', 'metadata.title'],
    });
    return items
      .map(g => ({
        ref: stringifyEntityRef(g),
        name: g.metadata.title ?? g.metadata.name,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }, [catalogApi]);
  const overview = useAsync(
    () => api.overview({ owner: owner || undefined }),
    [api, owner],
  );

  const link = (ref: string, tab = '') =>
    `${entityRoute(entityRouteParams(ref))}${tab}`;

  const environments = overview.value?.environments ?? [];
  const columns: TableColumn<ReleaseStatus>[] = [
    {
      title: 'Service',
      field: 'service',
      highlight: true,
      render: row => (
        <Link to={link(row.entityRef, '/releases')}>{row.service}</Link>
      ),
    },
    {
      title: 'Squad',
      field: 'owner',
      render: row =>
        row.owner ? (
          <Link to={link(row.owner)}>{parseEntityRef(row.owner).name}</Link>
        ) : (
          ''
        ),
    },
    ...environments.map(
      (env): TableColumn<ReleaseStatus> => ({
        title: env,
        sorting: false,
        render: row => {
          const release = row.environments.find(e => e.environment === env);
          if (!release) {
            return (
              <Typography variant="body2" color="textSecondary">
                not released
              </Typography>
            );
          }
          return (
            <Box>
              <code>{releaseLabel(release)}</code>
              <Box mt={0.5}>
                <DriftBadge
                  drift={release.drift}
                  branch={row.defaultBranch}
                  missing={release.driftError}
                />
              </Box>
            </Box>
          );
        },
      }),
    ),
  ];

  return (
    <Page themeId="tool">
      <Header
        title="Releases"
        subtitle={`What is released where, worst drift in ${production} first`}
      />
      <Content>
        <ContentHeader title="Services">
          <FormControl
            variant="outlined"
            size="small"
            style={{ minWidth: 220 }}
          >
            <InputLabel id="releases-squad-label" shrink>
              Squad
            </InputLabel>
            <Select
              displayEmpty
              labelId="releases-squad-label"
              label="Squad"
              value={owner}
              onChange={e => {
                const value = String(e.target.value);
                setParams(value ? { owner: value } : {});
              }}
            >
              <MenuItem value="">All squads</MenuItem>
              {(squads.value ?? []).map(s => (
                <MenuItem key={s.ref} value={s.ref}>
                  {s.name}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
        </ContentHeader>
        {overview.loading && <Progress />}
        {overview.error && <ResponseErrorPanel error={overview.error} />}
        {overview.value &&
          (overview.value.items.length ? (
            <Table<ReleaseStatus>
              title={`${overview.value.items.length} ${
                overview.value.items.length === 1 ? 'service' : 'services'
              }`}
              options={{ paging: false, search: true, padding: 'dense' }}
              columns={columns}
              data={overview.value.items}
            />
          ) : (
            <EmptyState
              missing="data"
              title={
                owner
                  ? `${parseEntityRef(owner).name} owns no released services`
                  : 'No services'
              }
              description="Services come from the catalog: components with a lunar.app/release-manager-service annotation (every shuttle.yaml component has one), except libraries and documentation sites, which are not released to environments."
            />
          ))}
      </Content>
    </Page>
  );
}
