import {
  BackstageCredentials,
  BackstageUserInfo,
  DiscoveryService,
  UserInfoService,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { PromiseCache } from '../cache/PromiseCache';

/** How long a token's user info is reused at most. */
const DEFAULT_TTL_MS = 60_000;

interface Options {
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

/** The claims of a JWT, read without verifying it (it was verified already). */
function claimsOf(token: string): {
  sub?: unknown;
  ent?: unknown;
  exp?: unknown;
} {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  } catch {
    throw new Error('User credentials carry a token that is not a JWT');
  }
}

/**
 * Backstage's user info service (who the user is and which entities they
 * own), with each token's answer reused for up to a minute.
 *
 * User tokens carry no ownership claim by default
 * (`auth.omitIdentityTokenOwnershipClaim`), and the token a plugin forwards
 * on a user's behalf never does, so the stock service asks the auth backend
 * (`/v1/userinfo`: an HTTP round trip and a database read) on every call,
 * and the permission backend calls it for every authorize request. Here a
 * token's answer is kept until the token expires or the TTL passes,
 * whichever is first: a membership change reaches tokens issued before it
 * at most a minute later (the token itself lives an hour). Failed lookups
 * are not kept.
 */
export class CachedUserInfoService implements UserInfoService {
  private readonly cache: PromiseCache<BackstageUserInfo>;

  constructor(
    private readonly discovery: Pick<DiscoveryService, 'getBaseUrl'>,
    options: Options = {},
  ) {
    this.cache = new PromiseCache(options.ttlMs ?? DEFAULT_TTL_MS, {
      now: options.now,
      maxEntries: options.maxEntries,
    });
  }

  async getUserInfo(
    credentials: BackstageCredentials,
  ): Promise<BackstageUserInfo> {
    const principal = credentials.principal as { type?: unknown };
    if (principal?.type !== 'user') {
      throw new Error('Only user credentials are supported');
    }
    // Backstage keeps the token on the credentials, out of enumeration.
    const token = (credentials as { token?: unknown }).token;
    if (typeof token !== 'string' || !token) {
      throw new Error('User credentials is unexpectedly missing token');
    }
    const { sub, ent, exp } = claimsOf(token);
    if (typeof sub !== 'string') {
      throw new Error('User entity ref must be a string');
    }
    if (ent !== undefined) return checked(sub, ent);

    // Kept until the token expires, if that is before the TTL.
    return this.cache.get(
      token,
      () => this.lookUp(token).then(refs => checked(sub, refs)),
      typeof exp === 'number' ? exp * 1000 : undefined,
    );
  }

  private async lookUp(token: string): Promise<unknown> {
    const res = await fetch(
      `${await this.discovery.getBaseUrl('auth')}/v1/userinfo`,
      { headers: { Authorization: `Bearer ${token}` } },
    );
    if (!res.ok) throw await ResponseError.fromResponse(res);
    const body = (await res.json()) as { claims?: { ent?: unknown } };
    return body.claims?.ent;
  }
}

function checked(userEntityRef: string, refs: unknown): BackstageUserInfo {
  if (refs === undefined || refs === null) {
    throw new Error('Ownership entity refs can not be determined');
  }
  if (!Array.isArray(refs) || refs.some(ref => typeof ref !== 'string')) {
    throw new Error('Ownership entity refs must be an array of strings');
  }
  return { userEntityRef, ownershipEntityRefs: refs as string[] };
}

/**
 * Replaces Backstage's user info service with {@link CachedUserInfoService}
 * (one per plugin, as the stock one).
 */
export const cachedUserInfoServiceFactory = createServiceFactory({
  service: coreServices.userInfo,
  deps: { discovery: coreServices.discovery },
  factory: ({ discovery }) => new CachedUserInfoService(discovery),
});
