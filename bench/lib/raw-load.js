// A raw TCP load generator: pre-encoded PUB blocks written as fast as the socket takes them, and
// subscribers that count bytes, so the client side costs almost nothing and the server is measured.
import { connect as tcpConnect } from "node:net";

export function rawConn(port, creds = {}) {
  return new Promise((resolve, reject) => {
    const s = tcpConnect(port, "127.0.0.1");
    s.setNoDelay(true);
    s.once("connect", () => {
      s.write(`CONNECT ${JSON.stringify({ verbose: false, pedantic: false, headers: true, ...creds })}\r\n`);
      resolve(s);
    });
    s.once("error", reject);
  });
}

export function waitPong(s) {
  return new Promise((resolve) => {
    let buf = "";
    const on = (d) => {
      buf += d.toString("latin1");
      if (buf.includes("PONG\r\n")) {
        s.off("data", on);
        resolve();
      }
    };
    s.on("data", on);
    s.write("PING\r\n");
  });
}

/** `count` PUBs of `size` bytes on `subject`, in one buffer. */
export function pubBlock(subject, size, count) {
  const one = Buffer.concat([Buffer.from(`PUB ${subject} ${size}\r\n`), Buffer.alloc(size, 0x61), Buffer.from("\r\n")]);
  return Buffer.concat(Array.from({ length: count }, () => one));
}

export async function publishAll(s, block, perBlock, total, shouldStop = () => false) {
  let sent = 0;
  for (; sent < total && !shouldStop(); sent += perBlock) {
    if (!s.write(block)) await new Promise((r) => s.once("drain", r));
  }
  return sent;
}

/** A subscriber that resolves `done` once `total` MSGs of the given frame size arrived. */
export async function countingSub(port, subject, frameBytes, total, creds) {
  const s = await rawConn(port, creds);
  s.write(`SUB ${subject} 1\r\n`);
  await waitPong(s);
  let bytes = 0;
  const done = new Promise((resolve) =>
    s.on("data", (d) => {
      bytes += d.length;
      if (bytes >= total * frameBytes) resolve();
    }),
  );
  return { socket: s, done };
}
