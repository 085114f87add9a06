/* eslint-disable no-console */
// A small HTTP load balancer in front of the portal's replicas, as a
// Kubernetes Service and an ingress controller put them (deploy/): requests
// go round robin to the replicas whose readiness check answers 200 (polled
// every 500 ms, like a readiness probe); a request whose replica cannot be
// reached or drops the connection before answering is tried once more on
// another replica when it is safe to (GET and HEAD), as ingress-nginx does
// with `proxy_next_upstream error timeout`; WebSocket upgrades (signals)
// are passed through. Used by scripts/replicas-test.js.
const http = require('node:http');
const net = require('node:net');

/**
 * Starts the balancer on `port` in front of `replicas` (an array of
 * { name, port }; it may change while running). Resolves to
 * { stats, close() }: stats counts requests, retries and failures.
 */
async function startLoadBalancer({ port, replicas }) {
  const ready = new Map();
  const stats = { requests: 0, retried: 0, failed: 0, byReplica: {} };
  let next = 0;

  const poll = async () => {
    await Promise.all(
      replicas.map(async r => {
        try {
          const res = await fetch(
            `http://127.0.0.1:${r.port}/.backstage/health/v1/readiness`,
            { signal: AbortSignal.timeout(1000) },
          );
          ready.set(r.port, res.ok);
        } catch {
          ready.set(r.port, false);
        }
      }),
    );
  };
  await poll();
  const poller = setInterval(() => void poll(), 500);

  /** The next ready replica, skipping `except`. */
  const pick = except => {
    const candidates = replicas.filter(
      r => ready.get(r.port) && r.port !== except,
    );
    if (candidates.length === 0) return undefined;
    next = (next + 1) % candidates.length;
    return candidates[next];
  };

  const forward = (req, body, res, replica, retriesLeft) => {
    stats.byReplica[replica.name] = (stats.byReplica[replica.name] ?? 0) + 1;
    let answered = false;
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: replica.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'x-forwarded-for': '127.0.0.1' },
      },
      up => {
        answered = true;
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        up.on('error', () => res.destroy());
      },
    );
    upstream.on('error', () => {
      if (answered) {
        res.destroy();
        return;
      }
      // Not reachable, or the connection closed before an answer: the
      // replica is going away. Safe requests go to another one.
      ready.set(replica.port, false);
      const other =
        retriesLeft > 0 && ['GET', 'HEAD'].includes(req.method)
          ? pick(replica.port)
          : undefined;
      if (other) {
        stats.retried += 1;
        forward(req, body, res, other, retriesLeft - 1);
      } else {
        stats.failed += 1;
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('no replica answered');
      }
    });
    upstream.end(body);
  };

  const server = http.createServer((req, res) => {
    stats.requests += 1;
    const chunks = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const replica = pick();
      if (!replica) {
        stats.failed += 1;
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('no replica is ready');
        return;
      }
      forward(req, Buffer.concat(chunks), res, replica, 1);
    });
  });

  // WebSockets (the signals plugin): the upgrade request and both
  // directions of the connection, as they are.
  server.on('upgrade', (req, socket, head) => {
    const replica = pick();
    if (!replica) {
      socket.destroy();
      return;
    }
    const upstream = net.connect(replica.port, '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head?.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });

  await new Promise(resolve => server.listen(port, '127.0.0.1', resolve));
  return {
    stats,
    async close() {
      clearInterval(poller);
      server.closeAllConnections?.();
      await new Promise(resolve => server.close(resolve));
    },
  };
}

module.exports = { startLoadBalancer };
