import { useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { squadOverviewApiRef } from '../../api';

/**
 * Every squad with its numbers, joined by the backend
 * (`GET /squads/overview`): one request for the page.
 */
export function useSquads() {
  const api = useApi(squadOverviewApiRef);
  return useAsync(() => api.squadsOverview(), [api]);
}
