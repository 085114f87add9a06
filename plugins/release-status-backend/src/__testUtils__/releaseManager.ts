import { startJsonServer } from './jsonServer';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * A stand-in for release-manager's HTTP API answering in its real response
 * shapes (lunarway/release-manager: internal/http/types.go StatusResponse,
 * DescribeReleaseResponse, ListPoliciesResponse, ErrorResponse;
 * internal/artifact/spec.go; internal/intent). It knows card-clearing in
 * dev, staging and prod; `broken` answers 500; anything else is unknown.
 */
export async function startReleaseManager(options: {
  token: string;
  now?: number;
}) {
  const now = options.now ?? Date.now();
  const sha = (c: string) => c.repeat(40);
  const artifactId = (s: string) => `master-${s.slice(0, 10)}-67e9d69164`;
  const releases: Record<
    string,
    {
      sha: string;
      releasedAt: number;
      by: string;
      intent: unknown;
      message: string;
    }
  > = {
    dev: {
      sha: sha('d'),
      releasedAt: now - HOUR,
      by: 'Bo Lindqvist',
      intent: {
        type: 'AutoRelease',
        releaseBranch: {},
        promote: {},
        rollback: {},
      },
      message: 'Tighten timeouts on outgoing calls\n\nAnd log them.',
    },
    staging: {
      sha: sha('5'),
      releasedAt: now - 5 * DAY,
      by: 'Cecilie Dam',
      intent: {
        type: 'ReleaseBranch',
        releaseBranch: { branch: 'master' },
        promote: {},
        rollback: {},
      },
      message: 'Add metrics for consumer lag',
    },
    prod: {
      sha: sha('a'),
      releasedAt: now - 19 * DAY,
      by: 'Ada Holm',
      intent: {
        type: 'Promote',
        releaseBranch: {},
        promote: { fromEnvironment: 'staging' },
        rollback: {},
      },
      message: 'Handle duplicate clearing records',
    },
  };
  const spec = (env: string) => {
    const r = releases[env];
    return {
      id: artifactId(r.sha),
      application: {
        sha: r.sha,
        authorName: 'Dennis Krogh',
        authorEmail: 'dennis.krogh@lunar.example',
        committerName: 'Dennis Krogh',
        committerEmail: 'dennis.krogh@lunar.example',
        message: r.message,
        name: 'card-clearing',
        url: `https://github.com/lunarway/card-clearing/commit/${r.sha}`,
        provider: 'GitHub',
      },
      ci: {
        jobUrl: `https://jenkins.example/job/card-clearing/${env}`,
        start: new Date(r.releasedAt - 600_000).toISOString(),
        end: new Date(r.releasedAt - 300_000).toISOString(),
      },
      squad: 'gemini',
      shuttle: {
        plan: {
          sha: '67e9d69164a1b2c3d4e5f60718293a4b5c6d7e8f',
          message: 'Bump plan',
          url: 'git://git@github.com:lunarway/lw-shuttle-go-plan.git',
        },
        shuttleVersion: 'v0.23.0',
      },
      stages: [
        {
          id: 'build',
          name: 'Build',
          data: {
            image: 'quay.io/lunarway/card-clearing',
            tag: artifactId(r.sha),
            dockerVersion: '27.3.1',
          },
        },
        {
          id: 'test',
          name: 'Test',
          data: { url: '', results: { passed: 412, failed: 0, skipped: 3 } },
        },
      ],
    };
  };
  const error = (status: number, message: string) => ({
    status,
    body: { status, message },
  });

  const server = await startJsonServer(
    url => {
      // Every request needs the bearer token (release-manager's authenticator).
      const service = url.searchParams.get('service');
      const describe = url.pathname.match(
        /^\/describe\/release\/([^/]+)\/([^/]+)$/,
      );
      if (service === 'broken' || describe?.[1] === 'broken') {
        return error(500, 'Unknown error');
      }
      if (url.pathname === '/status') {
        if (service !== 'card-clearing')
          return { status: 200, body: { defaultNamespaces: true } };
        const env = (name: string) => {
          const r = releases[name];
          return {
            tag: artifactId(r.sha),
            committer: 'Dennis Krogh',
            author: 'Dennis Krogh',
            message: r.message,
            date: r.releasedAt - 600_000,
            buildUrl: `https://jenkins.example/job/card-clearing/${name}`,
            highVulnerabilities: 0,
            mediumVulnerabilities: 2,
            lowVulnerabilities: 5,
          };
        };
        return {
          status: 200,
          body: {
            defaultNamespaces: true,
            dev: env('dev'),
            staging: env('staging'),
            prod: env('prod'),
          },
        };
      }
      if (describe) {
        const [, svc, env] = describe;
        if (svc !== 'card-clearing' || !releases[env]) {
          return error(
            404,
            `no releases of service '${svc}' available in environment '${env}'`,
          );
        }
        const r = releases[env];
        // Newest first, `count` of them: the release, then the one before
        // (prod's commit 'b', a day earlier), as release-manager keeps them.
        const history = [
          {
            releaseIndex: 42,
            artifact: spec(env),
            releasedAt: new Date(r.releasedAt).toISOString(),
            releasedByEmail: `${r.by
              .split(' ')[0]
              .toLowerCase()}@lunar.example`,
            releasedByName: r.by,
            intent: r.intent,
          },
          ...(env === 'prod'
            ? [
                {
                  releaseIndex: 41,
                  artifact: {
                    ...spec(env),
                    id: artifactId(sha('b')),
                    application: { ...spec(env).application, sha: sha('b') },
                  },
                  releasedAt: new Date(r.releasedAt - DAY).toISOString(),
                  releasedByEmail: 'ada.holm@lunar.example',
                  releasedByName: 'Ada Holm',
                  intent: r.intent,
                },
              ]
            : []),
        ];
        return {
          status: 200,
          body: {
            service: svc,
            environment: env,
            releases: history.slice(
              0,
              Number(url.searchParams.get('count') ?? 1),
            ),
          },
        };
      }
      if (url.pathname === '/policies') {
        if (service !== 'card-clearing') return error(404, 'no policies exist');
        return {
          status: 200,
          body: {
            service,
            autoReleases: [
              { id: 'auto-master-dev', branch: 'master', environment: 'dev' },
            ],
            branchRestrictions: [
              {
                id: 'branch-restriction-prod',
                environment: 'prod',
                branchRegex: '^master$',
              },
            ],
          },
        };
      }
      return undefined;
    },
    req =>
      req.headers.authorization === `Bearer ${options.token}`
        ? undefined
        : {
            status: 401,
            body: {
              status: 401,
              message: 'please provide a valid authentication token',
            },
          },
  );

  return {
    ...server,
    /** Artifact ids per service and environment. */
    artifacts: {
      'card-clearing': Object.fromEntries(
        Object.entries(releases).map(([env, r]) => [env, artifactId(r.sha)]),
      ) as Record<'dev' | 'staging' | 'prod', string>,
    },
    releases,
  };
}
