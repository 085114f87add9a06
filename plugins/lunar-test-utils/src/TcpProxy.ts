import net from 'node:net';

/**
 * A TCP proxy to a local server that a test can cut and restore, to make a
 * server unreachable for one plugin without stopping the shared server.
 * It can also slow replies down and drop a connection while it is still
 * being set up, to hit the windows in which reconnect logic goes wrong.
 */
export class TcpProxy {
  private server?: net.Server;
  private sockets = new Set<net.Socket>();
  private dropNextAfterMs?: number;
  port = 0;
  /** Client connections accepted so far. */
  accepted = 0;

  constructor(
    private readonly target: { host: string; port: number },
    private readonly options: { replyLatencyMs?: number } = {},
  ) {}

  async start(port = 0): Promise<void> {
    this.server = net.createServer(client => {
      this.accepted += 1;
      const upstream = net.connect(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => {
          this.sockets.delete(s);
          // One side gone: the other goes too, as a broken link would.
          client.destroy();
          upstream.destroy();
        });
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream);
      const latency = this.options.replyLatencyMs ?? 0;
      if (latency > 0) {
        // Same delay for every chunk: setTimeout keeps their order.
        upstream.on('data', chunk =>
          setTimeout(() => client.destroyed || client.write(chunk), latency),
        );
      } else {
        upstream.pipe(client);
      }
      if (this.dropNextAfterMs !== undefined) {
        const ms = this.dropNextAfterMs;
        this.dropNextAfterMs = undefined;
        setTimeout(() => client.destroy(), ms);
      }
    });
    await new Promise<void>(resolve =>
      this.server!.listen(port, '127.0.0.1', resolve),
    );
    this.port = (this.server!.address() as net.AddressInfo).port;
  }

  /** Client connections currently open through the proxy. */
  get connections(): number {
    return this.sockets.size / 2;
  }

  /** Drops every open connection; new ones are still accepted. */
  dropAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  /** Drops the next accepted connection `ms` after it is accepted. */
  dropNextConnectionAfter(ms: number): void {
    this.dropNextAfterMs = ms;
  }

  /** Drops every connection and refuses new ones. */
  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>(resolve =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
    this.server = undefined;
  }

  /** Accepts connections again on the same port. */
  async restore(): Promise<void> {
    await this.start(this.port);
  }
}
