import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CachedUserInfoService } from './cachedUserInfo';

const b64 = (value: object) =>
  Buffer.from(JSON.stringify(value)).toString('base64url');
/** A token as the permission backend sees one (its signature was checked before). */
const jwt = (claims: object) =>
  `${b64({ alg: 'ES256', typ: 'vnd.backstage.limited-user' })}.${b64(
    claims,
  )}.signature`;

/** Credentials as Backstage makes them: the token not enumerable. */
function userCredentials(ref: string, token: string): BackstageCredentials {
  const credentials = {
    $$type: '@backstage/BackstageCredentials',
    version: 'v1',
    principal: { type: 'user', userEntityRef: ref },
  };
  Object.defineProperty(credentials, 'token', {
    enumerable: false,
    value: token,
  });
  return credentials as BackstageCredentials;
}

/** A stand-in for the auth backend's /v1/userinfo over real HTTP. */
describe('CachedUserInfoService', () => {
  let server: Server;
  let baseUrl: string;
  const asked: string[] = [];
  let status = 200;
  const groups: Record<string, string[]> = {
    'user:default/mette': ['user:default/mette', 'group:default/squad-nasa'],
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const token = (req.headers.authorization ?? '').replace('Bearer ', '');
      asked.push(`${req.method} ${req.url}`);
      const { sub } = JSON.parse(
        Buffer.from(token.split('.')[1], 'base64url').toString(),
      );
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          status === 200
            ? { claims: { sub, ent: groups[sub] } }
            : { error: { name: 'Error', message: 'down' } },
        ),
      );
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise(r => server.close(r)));
  beforeEach(() => {
    asked.length = 0;
    status = 200;
  });

  const service = (now: () => number) =>
    new CachedUserInfoService(
      { getBaseUrl: async () => baseUrl },
      { ttlMs: 60_000, now },
    );

  it("asks the auth backend once per token, until the TTL or the token's expiry", async () => {
    let now = 1_000_000;
    const info = service(() => now);
    const token = jwt({
      sub: 'user:default/mette',
      exp: 1_000_000 / 1000 + 3600,
    });
    const credentials = userCredentials('user:default/mette', token);

    const expected = {
      userEntityRef: 'user:default/mette',
      ownershipEntityRefs: ['user:default/mette', 'group:default/squad-nasa'],
    };
    // Two at once: one request.
    const [a, b] = await Promise.all([
      info.getUserInfo(credentials),
      info.getUserInfo(credentials),
    ]);
    expect(a).toEqual(expected);
    expect(b).toEqual(expected);
    expect(asked).toEqual(['GET /v1/userinfo']);

    now += 59_000;
    expect(await info.getUserInfo(credentials)).toEqual(expected);
    expect(asked).toHaveLength(1);
    now += 2_000;
    expect(await info.getUserInfo(credentials)).toEqual(expected);
    expect(asked).toHaveLength(2);

    // A token that expires sooner than the TTL is not reused past it.
    const shortLived = userCredentials(
      'user:default/mette',
      jwt({ sub: 'user:default/mette', exp: Math.floor(now / 1000) + 5 }),
    );
    await info.getUserInfo(shortLived);
    now += 6_000;
    await info.getUserInfo(shortLived);
    expect(asked).toHaveLength(4);
  });

  it('reads a token that carries its ownership claim without asking', async () => {
    const info = service(() => 0);
    const token = jwt({
      sub: 'user:default/gustav',
      ent: ['user:default/gustav', 'group:default/squad-gemini'],
    });
    expect(
      await info.getUserInfo(userCredentials('user:default/gustav', token)),
    ).toEqual({
      userEntityRef: 'user:default/gustav',
      ownershipEntityRefs: [
        'user:default/gustav',
        'group:default/squad-gemini',
      ],
    });
    expect(asked).toEqual([]);
  });

  it('does not keep a failed lookup, and refuses what is not a user', async () => {
    const info = service(() => 0);
    const credentials = userCredentials(
      'user:default/mette',
      jwt({ sub: 'user:default/mette' }),
    );
    status = 503;
    await expect(info.getUserInfo(credentials)).rejects.toThrow(/503/);
    status = 200;
    expect((await info.getUserInfo(credentials)).ownershipEntityRefs).toContain(
      'group:default/squad-nasa',
    );
    expect(asked).toHaveLength(2);

    const unknown = userCredentials(
      'user:default/nobody',
      jwt({ sub: 'user:default/nobody' }),
    );
    await expect(info.getUserInfo(unknown)).rejects.toThrow(
      'Ownership entity refs can not be determined',
    );
    await expect(
      info.getUserInfo({
        $$type: '@backstage/BackstageCredentials',
        principal: { type: 'service', subject: 'plugin:catalog' },
      } as BackstageCredentials),
    ).rejects.toThrow('Only user credentials are supported');
  });
});
