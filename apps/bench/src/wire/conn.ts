// A raw NATS client connection for load generation: CONNECT with credentials, writes of pre-encoded
// bytes with back-pressure, PING/PONG round trips, and MSG frames handed to one handler as views.
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

function connectFields(creds: Credentials, nonce: string | undefined): Record<string, unknown> {
  const { credsFile, nkeyFile, ...plain } = creds;
  const file = credsFile ?? nkeyFile;
  if (file === undefined) return plain;
  const signer = credsFile !== undefined ? readCreds(file) : readNkeySeed(file);
  if (nonce === undefined) throw new Error("the server sent no nonce to sign (is it configured for nkeys or JWTs?)");
  return { ...plain, jwt: signer.jwt, nkey: signer.nkey, sig: signer.sign(nonce) };
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

/** `nats://host:port`, `host:port` or `port` → address. */
export function parseServer(url: string): ServerAddress {
  const bare = url.replace(/^nats:\/\//, "");
  const colon = bare.lastIndexOf(":");
  if (colon < 0) return /^\d+$/.test(bare) ? { host: "127.0.0.1", port: Number(bare) } : { host: bare, port: 4222 };
  return { host: bare.slice(0, colon) || "127.0.0.1", port: Number(bare.slice(colon + 1)) };
}

export class RawConn {
  private readonly pongs: Array<() => void> = [];
  private onMsg: (m: MsgView) => void = () => {};
  /** The first -ERR the server sent, if any: benchmarks report it instead of hanging. */
  error: string | undefined;
  private failWaiters: Array<(e: Error) => void> = [];

  private onInfo: ((info: ServerInfo) => void) | undefined;

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
  static open(server: ServerAddress, creds: Credentials = {}, name = "tsnats-bench"): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const s = tcpConnect(server.port, server.host);
      s.setNoDelay(true);
      s.once("error", reject);
      const c = new RawConn(s);
      c.onInfo = (info) => {
        s.off("error", reject);
        try {
          const connect = { verbose: false, pedantic: false, headers: true, no_responders: true, name, lang: "node-raw", version: "1", protocol: 1, ...connectFields(creds, info.nonce) };
          s.write(`CONNECT ${JSON.stringify(connect)}\r\n`);
        } catch (e) {
          s.destroy();
          reject(e);
          return;
        }
        // The server answers bad credentials with -ERR before the PONG.
        c.ping().then(() => resolve(c), reject);
      };
    });
  }

  private fail(text: string): void {
    if (this.error !== undefined) return;
    this.error = text;
    const waiters = this.failWaiters;
    this.failWaiters = [];
    for (const w of waiters) w(new Error(text));
  }

  /** Resolves never; rejects when the connection fails (race it against what you wait for). */
  failed(): Promise<never> {
    return new Promise((_, reject) => {
      if (this.error !== undefined) reject(new Error(this.error));
      else this.failWaiters.push(reject);
    });
  }

  handle(onMsg: (m: MsgView) => void): void {
    this.onMsg = onMsg;
  }

  /** Writes, waiting for the socket to drain when its buffer is full. */
  async send(data: Buffer | string): Promise<void> {
    if (!this.socket.write(data)) await new Promise<void>((r) => this.socket.once("drain", () => r()));
  }

  write(data: Buffer | string): boolean {
    return this.socket.write(data);
  }

  /** A full round trip: every frame the server sent before the PONG has been handled. */
  ping(): Promise<void> {
    return Promise.race([
      new Promise<void>((resolve) => {
        this.pongs.push(resolve);
        this.socket.write("PING\r\n");
      }),
      this.failed(),
    ]);
  }

  close(): void {
    this.error ??= "closed";
    this.socket.destroy();
  }
}
