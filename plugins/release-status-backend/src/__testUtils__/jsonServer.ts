import http from 'node:http';
import { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  authorization?: string;
}

export type Route = (
  url: URL,
) => { status: number; body?: unknown } | undefined;

/**
 * A real HTTP server on a free local port answering with JSON from
 * `route` (404 when it returns undefined), recording each request.
 */
export async function startJsonServer(
  route: Route,
  /** Answers instead of `route` when it returns something (e.g. a 401). */
  guard?: (
    req: http.IncomingMessage,
  ) => { status: number; body?: unknown } | undefined,
) {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    requests.push({
      method: req.method!,
      url: req.url!,
      authorization: req.headers.authorization,
    });
    const answer = guard?.(req) ??
      route(new URL(req.url!, 'http://localhost')) ?? {
        status: 404,
        body: { message: 'Not Found' },
      };
    res.writeHead(answer.status, { 'Content-Type': 'application/json' });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}
