import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';

/** How long another plugin may take to answer before its section fails. */
const TIMEOUT_MS = 15_000;

/**
 * GETs another backend plugin's HTTP API on behalf of the caller: the
 * token comes from `auth.getPluginRequestToken({ onBehalfOf })`, so that
 * plugin's own permission checks and catalog visibility apply to the
 * person looking, not to this plugin.
 */
export class PluginApiClient {
  constructor(
    private readonly options: {
      pluginId: string;
      discovery: DiscoveryService;
      auth: AuthService;
    },
  ) {}

  async get<T>(
    path: string,
    query: Record<string, string | undefined>,
    credentials: BackstageCredentials,
  ): Promise<T> {
    const { pluginId, discovery, auth } = this.options;
    const [base, { token }] = await Promise.all([
      discovery.getBaseUrl(pluginId),
      auth.getPluginRequestToken({
        onBehalfOf: credentials,
        targetPluginId: pluginId,
      }),
    ]);
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) params.set(key, value);
    }
    const qs = params.toString();
    const response = await fetch(`${base}${path}${qs ? `?${qs}` : ''}`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }
}
