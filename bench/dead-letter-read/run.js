#!/usr/bin/env node
/* eslint-disable no-console */
// Cost of reading a dead letter's content (./scripts/bench.sh dead-letter-read):
// the permission check (dead-letter.message.read and .read-unmasked through
// the permission backend, applied to the loaded row), the audit event and
// masking of JSON paths and headers, on GET /dead-letters/:id and the first
// list page, with BENCH_ROWS stored messages (default 1,000,000) in
// PostgreSQL.
//
// Two built backends on the same database run side by side, each on its own
// port, and requests alternate between them, so both see the same data and
// the same load on this shared machine:
//   with:    the permission framework on (the portal's policy), masking of
//            four JSON paths and a header; the guest reads its squad's
//            messages masked;
//   without: the permission framework off and nothing to mask, i.e. what
//            GET /dead-letters/:id cost before reading was a permission.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const amqp = require('amqplib');
const {
  errorGroupSql,
  request,
  resetDatabases,
  startBackend,
  measuredOn,
  writeSection,
  writeGuestConfig,
  guestToken,
  pluginDatabase,
} = require('../lib/common');

const ROWS = Number(process.env.BENCH_ROWS || 1_000_000);
/** The stored messages' error group (see errorGroupSql). */
const ERROR_GROUP = errorGroupSql(
  "'ctx handler: error ' || (g % 40)",
  Array.from({ length: 40 }, (_, i) => `ctx handler: error ${i}`),
);
/**
 * Seconds a person's read decisions are reused, in both backends: shorter
 * than the default 10, so that first views (each waits the reuse out) can be
 * sampled often enough for a p95; in the other rows a decision is asked
 * again every 2 s, more often than the default would.
 */
const DECISION_REUSE_S = 2;
/** First views per kind. */
const FIRST_VIEWS = 40;
/** Views of messages in a row (decisions reused). */
const VIEWS = 1000;
const AMQP_URL =
  process.env.BENCH_AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';
const PREFIX = 'lunar_bench_dlr_';
const SQUADS = [
  'squad-nasa',
  'squad-gemini',
  'squad-mercury',
  'squad-odyssey',
  'squad-aura',
  'squad-apollo',
];
const MASKING = {
  jsonPaths: ['$.cpr', '$.iban', '$..cardNumber', '$.items[*].pan'],
  headers: ['authorization'],
};

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

async function time(url, headers) {
  const t0 = process.hrtime.bigint();
  const res = await request(url, headers);
  if (res.status !== 200) {
    throw new Error(
      `${url} answered ${res.status}: ${JSON.stringify(res.body)}`,
    );
  }
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, body: res.body };
}

/** A port no other agent's backend uses (not 7007). */
const freePort = () => 17000 + Math.floor(Math.random() * 2000);

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dead-letter-read-'));
  const connection = await amqp.connect(AMQP_URL);
  const queue = `bench-dlr-${crypto.randomBytes(3).toString('hex')}`;
  const ports = { with: freePort(), without: 0 };
  ports.without = ports.with + 1;
  const backends = {};
  let knex;
  try {
    resetDatabases(PREFIX);
    const env = [{ name: 'bench', amqp: { url: AMQP_URL, queue } }];
    const configs = {
      with: writeGuestConfig(path.join(work, 'with.yaml'), ports.with, {
        permission: { enabled: true },
        deadLetter: {
          environments: env,
          masking: MASKING,
          readDecisionCacheSeconds: DECISION_REUSE_S,
        },
      }),
      without: writeGuestConfig(
        path.join(work, 'without.yaml'),
        ports.without,
        {
          permission: { enabled: false },
          deadLetter: {
            environments: env,
            masking: { jsonPaths: [], headers: [] },
            readDecisionCacheSeconds: DECISION_REUSE_S,
          },
        },
      ),
    };
    // One after the other: both migrate the same databases.
    for (const name of ['with', 'without']) {
      backends[name] = await startBackend({
        configs: [configs[name]],
        env: { APP_CONFIG_backend_database_prefix: PREFIX },
        logFile: path.join(work, `${name}.log`),
        port: ports[name],
      });
      console.log(`backend ${name} ready on ${ports[name]}`);
    }

    knex = pluginDatabase(PREFIX, 'dead-letter');
    console.log(`Inserting ${ROWS} messages`);
    const squads = `array[${SQUADS.map(s => `'${s}'`).join(',')}]`;
    await knex.raw(
      `insert into dead_letters (dedup_key, environment, queue, exchange, routing_key, reason, service, squad, message_id, error, error_group, dead_lettered_at, received_at, redelivery_count, headers, properties, body, body_size, body_truncated)
       select md5('dlr-' || g), 'bench', 'prod-k8s_svc-' || (g % 24), 'bankaccount', 'bankaccount.account.Event', 'rejected',
              'svc-' || (g % 24), (${squads})[1 + g % ${SQUADS.length}], 'dlr-' || g, 'ctx handler: error ' || (g % 40), ${ERROR_GROUP},
              now() - (g || ' seconds')::interval, now(), 0,
              json_build_object('authorization', 'Bearer ' || md5(g::text), 'x-error', 'ctx handler: error ' || (g % 40),
                'x-death', json_build_array(json_build_object('count', 1, 'reason', 'rejected', 'queue', 'prod-k8s_svc-' || (g % 24), 'exchange', 'bankaccount'))),
              '{"contentType":"application/json","deliveryMode":2}',
              b.body, length(b.body), false
       from generate_series(1, ?) g,
       lateral (select convert_to(json_build_object(
                 'eventId', md5(g::text),
                 'cpr', lpad((g % 3112999999)::text, 10, '0'),
                 'iban', 'DK50' || lpad(g::text, 14, '0'),
                 'amount', json_build_object('value', g % 10000, 'currency', 'DKK'),
                 'payer', json_build_object('name', 'Customer ' || g, 'card', json_build_object('cardNumber', '4111' || lpad(g::text, 12, '0'), 'expiry', '12/29')),
                 'items', json_build_array(json_build_object('pan', '5500' || lpad(g::text, 12, '0'), 'amount', 1),
                                           json_build_object('pan', '4000' || lpad(g::text, 12, '0'), 'amount', 2)),
                 'reference', repeat('x', 600))::text, 'UTF8') as body) b`,
      [ROWS],
    );
    await knex.raw('vacuum analyze dead_letters');
    const total = Number((await knex('dead_letters').count({ c: '*' }))[0].c);
    const bodySize = Number(
      (await knex('dead_letters').avg({ a: 'body_size' }))[0].a,
    );
    // Messages the guest's squad owns, spread over the table.
    const ids = (
      await knex.raw(
        `select id from dead_letters where squad = 'squad-nasa' order by random() limit ${
          VIEWS + 3 * FIRST_VIEWS
        }`,
      )
    ).rows.map(r => String(r.id));

    const auth = {
      with: await guestToken(ports.with),
      without: await guestToken(ports.without),
    };
    const base = name => `http://127.0.0.1:${ports[name]}/api/dead-letter`;

    // What each backend answers: masked for the squad member, full without.
    const check = {
      with: (await time(`${base('with')}/dead-letters/${ids[0]}`, auth.with))
        .body,
      without: (
        await time(`${base('without')}/dead-letters/${ids[0]}`, auth.without)
      ).body,
    };
    console.log(check.with.content, check.without.content);
    if (
      check.with.content.access !== 'masked' ||
      check.with.content.masked.length !== 5 ||
      check.without.content.access !== 'full'
    ) {
      throw new Error('the two backends do not answer as expected');
    }

    // Alternating, the order flipped every round, after a warm-up.
    const samples = {
      detail: { with: [], without: [] },
      list: { with: [], without: [] },
    };
    const round = async (kind, url, i) => {
      const order = i % 2 ? ['with', 'without'] : ['without', 'with'];
      for (const name of order) {
        samples[kind][name].push((await time(url(name), auth[name])).ms);
      }
    };
    const detailUrl = id => name => `${base(name)}/dead-letters/${id}`;
    const listUrl = name =>
      `${base(name)}/dead-letters?environment=bench&limit=50`;
    for (let i = 0; i < 10; i++) {
      await round('detail', detailUrl(ids[i]), i);
      await round('list', listUrl, i);
    }
    for (const k of Object.keys(samples))
      samples[k] = { with: [], without: [] };
    for (let i = 0; i < VIEWS; i++) {
      await round('detail', detailUrl(ids[i]), i);
    }
    for (let i = 0; i < 60; i++) await round('list', listUrl, i);
    const waitOutReuse = () =>
      new Promise(r => setTimeout(r, DECISION_REUSE_S * 1000 + 100));
    const firstViewId = (kind, i) => ids[VIEWS + kind * FIRST_VIEWS + i];
    /** A person's first view after `before` (timed: the message only). */
    const firstViews = async (kind, before) => {
      const xs = { with: [], without: [] };
      for (let i = 0; i < FIRST_VIEWS; i++) {
        await waitOutReuse();
        const order = i % 2 ? ['with', 'without'] : ['without', 'with'];
        for (const name of order) {
          if (before) await time(before(name), auth[name]);
          const url = detailUrl(firstViewId(kind, i))(name);
          xs[name].push((await time(url, auth[name])).ms);
        }
      }
      return xs;
    };
    // Opened by a link: the Dead Letter page asks for the environments
    // first, then opens the message (here at once, without the page's
    // rendering in between).
    samples.link = await firstViews(0, name => `${base(name)}/environments`);
    // Opened from the table just loaded.
    samples.fromList = await firstViews(1, listUrl);
    // An API client's first request: nothing before it.
    samples.first = await firstViews(2);

    const stats = xs => ({ p50: percentile(xs, 50), p95: percentile(xs, 95) });
    const rows = [
      [
        'GET /dead-letters/:id (a squad member: read check, audit, masking)',
        samples.detail,
        VIEWS,
      ],
      [
        'first list page (50, with total count; no content, no read check)',
        samples.list,
        60,
      ],
      [
        "GET /dead-letters/:id, a person's first view, opened by a link (the page's GET /environments, then the message)",
        samples.link,
        FIRST_VIEWS,
      ],
      [
        "GET /dead-letters/:id, a person's first view, opened from the table just loaded",
        samples.fromList,
        FIRST_VIEWS,
      ],
      [
        "GET /dead-letters/:id, an API client's first request (nothing before it: the decisions are asked on the request)",
        samples.first,
        FIRST_VIEWS,
      ],
    ].map(([name, s, n]) => {
      const w = stats(s.with);
      const wo = stats(s.without);
      return `| ${name} | ${n} | ${wo.p50.toFixed(1)} / ${wo.p95.toFixed(
        1,
      )} ms | ${w.p50.toFixed(1)} / ${w.p95.toFixed(1)} ms | ${(
        w.p95 / wo.p95
      ).toFixed(2)} |`;
    });
    const section = [
      '## Reading dead letters: permission check and masking (`./scripts/bench.sh dead-letter-read`)',
      '',
      `${measuredOn()}, PostgreSQL 15, built backend with production config.`,
      `${total.toLocaleString(
        'en-US',
      )} stored messages (JSON bodies of ${Math.round(
        bodySize,
      )} bytes with a CPR number, an IBAN, a card number and two PANs; an authorization header).`,
      "Two backends on the same database, requests alternating between them: **without** is the permission framework off and nothing to mask (what reading cost before it was a permission); **with** is the portal as configured: the permission framework on, the guest (squad-nasa) reading its squad's messages through the conditional `dead-letter.message.read` decision, `read-unmasked` refused, so `$.cpr`, `$.iban`, `$..cardNumber`, `$.items[*].pan` and `authorization` are masked; each view is an audit event in both. A person's read decisions are asked once and reused (here for " +
        DECISION_REUSE_S +
        " s, the default is 10 s), as when clicking through messages; they are asked alongside loading the message, and in the background on the requests the Dead Letter page makes before a message can be opened (the environments, the table). The last three rows wait the reuse out before each view: opened by a link or from the table, the page's earlier request has asked already; an API client's first request pays the permission round trip (to the permission backend; the person's groups, which it looks up at the auth backend, are reused per token for up to a minute, `cachedUserInfoServiceFactory` in `plugins/lunar-node`).",
      '',
      '| request | requests each | without: p50 / p95 | with: p50 / p95 | p95 ratio |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...rows,
      '',
      'Goal: p95 ratio within 1.10. The list carries no content, so it has no read check; it is measured to show it is unchanged.',
    ].join('\n');
    writeSection('dead-letter-read', section);
    console.log(section);
  } finally {
    for (const b of Object.values(backends)) await b?.stop();
    await knex?.destroy();
    const ch = await connection.createChannel();
    await ch.deleteQueue(queue).catch(() => {});
    await connection.close().catch(() => {});
    resetDatabases(PREFIX);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

require('../lib/common').runMain(main);
