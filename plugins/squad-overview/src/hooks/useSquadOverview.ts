import { useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { squadOverviewApiRef } from '../api';

/**
 * A squad's overview, joined by the backend (`GET /overview`): one request
 * for the squad's page, shared by its cards while they load.
 */
export function useSquadOverview(squadRef: string) {
  const api = useApi(squadOverviewApiRef);
  return useAsync(() => api.squadOverview(squadRef), [api, squadRef]);
}
