// Reads MSG/HMSG frames off a raw NATS connection, calling onMsg(subject, reply, headerBytes, payload) for
// each; other lines (PING, +OK, INFO) are answered or skipped. Just enough protocol for benchmarks: it
// keeps the unread bytes in one buffer (concatenated per read), which is fine at benchmark message sizes.
export function readMsgs(socket, onMsg) {
  let buf = Buffer.alloc(0);
  socket.on("data", (d) => {
    buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
    let pos = 0;
    for (;;) {
      const eol = buf.indexOf("\r\n", pos);
      if (eol < 0) break;
      const line = buf.toString("latin1", pos, eol);
      if (line.startsWith("MSG ") || line.startsWith("HMSG ")) {
        const parts = line.split(" ").filter((x) => x !== "");
        const hmsg = parts[0] === "HMSG";
        const total = Number(parts[parts.length - 1]);
        const hdr = hmsg ? Number(parts[parts.length - 2]) : 0;
        const fixed = hmsg ? 5 : 4;
        const reply = parts.length > fixed ? parts[3] : undefined;
        const end = eol + 2 + total + 2;
        if (buf.length < end) break;
        onMsg(parts[1], reply, hdr, buf.subarray(eol + 2, eol + 2 + total));
        pos = end;
        continue;
      }
      if (line === "PING") socket.write("PONG\r\n");
      pos = eol + 2;
    }
    buf = pos >= buf.length ? Buffer.alloc(0) : buf.subarray(pos);
  });
}
