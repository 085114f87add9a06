import { useEffect, useMemo, useState } from 'react';
import { storageApiRef, useApi } from '@backstage/frontend-plugin-api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { EnvironmentStatus } from '@internal/plugin-dead-letter-common';
import { deadLetterApiRef } from '@internal/plugin-dead-letter-react';

const KEY = 'environment';

/**
 * The configured environments with their consumer states, and the selected
 * one: remembered per user (user settings storage), else the first.
 */
export function useEnvironment() {
  const api = useApi(deadLetterApiRef);
  const storage = useApi(storageApiRef);
  // One bucket for the component's life, so the subscription below is made
  // once rather than on every render.
  const bucket = useMemo(() => storage.forBucket('dead-letter'), [storage]);
  const [stored, setStored] = useState<string | undefined>(
    () => bucket.snapshot<string>(KEY).value,
  );
  useEffect(() => {
    const sub = bucket
      .observe$<string>(KEY)
      .subscribe(snapshot => setStored(snapshot.value));
    return () => sub.unsubscribe();
  }, [bucket]);

  const envs = useAsyncRetry(() => api.environments(), [api]);
  const environments = envs.value;
  const selected = useMemo<EnvironmentStatus | undefined>(
    () => environments?.find(e => e.name === stored) ?? environments?.[0],
    [environments, stored],
  );

  return {
    loading: envs.loading,
    error: envs.error,
    retry: envs.retry,
    environments,
    selected,
    select: (name: string) => {
      setStored(name);
      bucket.set(KEY, name);
    },
  };
}
