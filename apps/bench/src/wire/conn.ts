// A raw NATS client connection for load generation: CONNECT with credentials, writes of pre-encoded
// bytes with back-pressure, PING/PONG round trips, and MSG frames handed to one handler as views.
// Every wait on the connection fails as soon as the connection does, so a run reports a server error
// or a closed socket instead of hanging.
import { type Socket, connect as tcpConnect } from "node:net";
import { readCreds, readNkeySeed } from "./creds.js";
import { FrameReader, type MsgView } from "./frames.js";

/** Plain data (it crosses to worker threads): files are read where the connection is made. */
export interface Credentials {
  user?: string;
  pass?: string;
  token?: string;
  /** A `.creds` file (user JWT and seed). */
  credsFile?: string;
  /** A file holding an nkey seed. */
  nkeyFile?: string;
}

/** The INFO fields a load generator needs. */
interface ServerInfo {
  nonce?: string;
  max_payload?: number;
}

export interface ServerAddress {
  host: string;
  port: number;
}

/** How long a server may take to send INFO and answer CONNECT's PING. */
const CONNECT_TIMEOUT_MS = 10_000;

/** `nats://[user:pass@]host:port`, `host:port`, `[::1]:port` or `port` → address (and credentials in the URL). */
export function parseServer(url: string): ServerAddress & { creds: Credentials } {
  if (/^\d+$/.test(url)) return { host: "127.0.0.1", port: Number(url), creds: {} };
  const u = new URL(url.includes("://") ? url : `nats://${url}`);
  const host = u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname;
  const creds: Credentials = {};
  if (u.username !== "" && u.password !== "") {
    creds.user = decodeURIComponent(u.username);
    creds.pass = decodeURIComponent(u.password);
  } else if (u.username !== "") {
    creds.token = decodeURIComponent(u.username);
  }
  return { host: host || "127.0.0.1", port: u.port === "" ? 4222 : Number(u.port), creds };
}

function connectFields(creds: Credentials, nonce: string | undefined): Record<string, unknown> {
  const { credsFile, nkeyFile, ...plain } = creds;
  const file = credsFile ?? nkeyFile;
  if (file === undefined) return plain;
  const signer = credsFile !== undefined ? readCreds(file) : readNkeySeed(file);
  if (nonce === undefined) throw new Error("the server sent no nonce to sign (is it configured for nkeys or JWTs?)");
  return { ...plain, jwt: signer.jwt, nkey: signer.nkey, sig: signer.sign(nonce) };
}

export class RawConn {
  private readonly pongs: Array<() => void> = [];
  private onMsg: (m: MsgView) => void = () => {};
  private onInfo: ((info: ServerInfo) => void) | undefined;
  /** The first failure (-ERR, a line that makes no sense, socket error or close): runs report it. */
  error: string | undefined;
  /** Rejections of the waits in progress (each removes itself when it settles). */
  private readonly guards = new Set<(e: Error) => void>();

  private constructor(readonly socket: Socket) {
    const reader = new FrameReader({
      msg: (m) => this.onMsg(m),
      pong: () => this.pongs.shift()?.(),
      ping: () => socket.write("PONG\r\n"),
      info: (json) => {
        const handler = this.onInfo;
        this.onInfo = undefined;
        handler?.(JSON.parse(json) as ServerInfo);
      },
      err: (text) => this.fail(`server error: ${text}`),
    });
    socket.on("data", (d: Buffer) => reader.push(d));
    socket.on("error", (e) => this.fail(e.message));
    socket.on("close", () => this.fail("connection closed"));
  }

  /** Connects, reads INFO, sends CONNECT (signing the nonce when credentials need it), and waits for PONG. */
  static async open(server: ServerAddress, creds: Credentials = {}, name = "tsnats-bench"): Promise<RawConn> {
    const s = tcpConnect(server.port, server.host);
    s.setNoDelay(true);
    const c = new RawConn(s);
    const timer = setTimeout(() => c.fail(`no INFO and PONG from ${server.host}:${server.port} in ${CONNECT_TIMEOUT_MS} ms`), CONNECT_TIMEOUT_MS);
    try {
      const info = await c.guard(new Promise<ServerInfo>((resolve) => (c.onInfo = resolve)));
      const connect = { verbose: false, pedantic: false, headers: true, no_responders: true, name, lang: "node-raw", version: "1", protocol: 1, ...connectFields(creds, info.nonce) };
      s.write(`CONNECT ${JSON.stringify(connect)}\r\n`);
      // The server answers bad credentials with -ERR before the PONG.
      await c.ping();
      return c;
    } catch (e) {
      s.destroy();
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the connection with an error every wait on it sees (a stalled run, a protocol problem). */
  fail(text: string): void {
    if (this.error !== undefined) return;
    this.error = text;
    const guards = [...this.guards];
    this.guards.clear();
    for (const g of guards) g(new Error(text));
    this.socket.destroy();
  }

  /** `p`, or a rejection as soon as the connection fails. */
  guard<T>(p: Promise<T>): Promise<T> {
    if (this.error !== undefined) return Promise.reject(new Error(this.error));
    return new Promise<T>((resolve, reject) => {
      this.guards.add(reject);
      p.then(
        (v) => {
          this.guards.delete(reject);
          resolve(v);
        },
        (e: Error) => {
          this.guards.delete(reject);
          reject(e);
        },
      );
    });
  }

  /** Rejects when the connection fails; never resolves (race it against the end of a receiver's run). */
  failure(): Promise<never> {
    return this.guard(new Promise<never>(() => {}));
  }

  handle(onMsg: (m: MsgView) => void): void {
    this.onMsg = onMsg;
  }

  /** Writes, waiting for the socket to drain when its buffer is full. */
  async send(data: Buffer | string): Promise<void> {
    if (!this.socket.write(data)) await this.guard(new Promise<void>((r) => this.socket.once("drain", () => r())));
  }

  write(data: Buffer | string): boolean {
    return this.socket.write(data);
  }

  /** A full round trip: every frame the server sent before the PONG has been handled. */
  ping(): Promise<void> {
    return this.guard(
      new Promise<void>((resolve) => {
        this.pongs.push(resolve);
        this.socket.write("PING\r\n");
      }),
    );
  }

  close(): void {
    this.fail("closed");
  }
}
