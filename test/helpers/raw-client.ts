import { type Socket, connect } from "node:net";
import { waitUntil } from "./wait.js";

/**
 * A client speaking the protocol by hand over TCP, for what the `nats` client never sends: malformed
 * ops, partial writes, ops before CONNECT. Everything the server sends is kept in `output` (latin1).
 */
export class RawClient {
  output = "";
  isClosed = false;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on("data", (d: Buffer) => {
      this.output += d.toString("latin1");
    });
    socket.on("error", () => {});
    this.closed = new Promise((resolve) =>
      socket.on("close", () => {
        this.isClosed = true;
        resolve();
      }),
    );
  }

  static async connect(port: number, host = "127.0.0.1"): Promise<RawClient> {
    const socket = connect(port, host);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const c = new RawClient(socket);
    await c.waitFor("INFO ");
    return c;
  }

  /** Sends protocol text (or bytes) as is. */
  send(data: string | Buffer): void {
    this.socket.write(typeof data === "string" ? Buffer.from(data, "latin1") : data);
  }

  /** The INFO the server sent on connect. */
  get info(): Record<string, unknown> {
    const line = this.output.slice(0, this.output.indexOf("\r\n"));
    return JSON.parse(line.slice(5)) as Record<string, unknown>;
  }

  /** Everything after the INFO line. */
  get afterInfo(): string {
    return this.output.slice(this.output.indexOf("\r\n") + 2);
  }

  async waitFor(text: string, timeoutMs = 10_000): Promise<void> {
    await waitUntil(() => this.output.includes(text), timeoutMs, JSON.stringify(text));
  }

  /** Sends PING and waits for the matching PONG: everything sent before has been processed. */
  async roundTrip(timeoutMs = 10_000): Promise<void> {
    const pongs = count(this.output, "PONG\r\n");
    this.send("PING\r\n");
    await waitUntil(() => count(this.output, "PONG\r\n") > pongs, timeoutMs, "PONG");
  }

  close(): void {
    this.socket.destroy();
  }
}

function count(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + needle.length)) n++;
  return n;
}
