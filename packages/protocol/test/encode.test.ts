import { describe, expect, it } from "vitest";
import {
  NO_RESPONDERS_HEADER,
  OutboundBuffer,
  decodeHeaders,
  encodeErr,
  encodeHeaders,
  encodeInfo,
  headerValue,
  writeMsg,
  writeMsgReplyBytes,
  BLANK_REPLY,
  ClientErrors,
  MsgHeadCache,
} from "../src/index.js";

function drain(out: OutboundBuffer): string {
  return Buffer.concat(out.take()).toString("utf8");
}

describe("writeMsg", () => {
  it("writes the same bytes with the head cache as without it, whatever the sequence of subjects and replies", () => {
    const subjects = ["a", "b.c", "$JS.ACK.S.C.1.2", "orders.ünïcode.0123456789abcdef"];
    const sids = ["1", "22"];
    const replies = [undefined, "", BLANK_REPLY, "_INBOX.r1", "_INBOX.r2", "inbox.ü", "inbox.ü.0123456789abcdefghijklmnop", "_INBOX.0123456789abcdefghijkl.99"];
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const cached = new OutboundBuffer();
    const plain = new OutboundBuffer();
    const heads = new MsgHeadCache();
    for (let i = 0; i < 2000; i++) {
      // Runs of repeats (the cached paths) mixed with changes of every part.
      const subject = subjects[rnd(4) === 0 ? rnd(subjects.length) : 0];
      const sid = sids[rnd(8) === 0 ? 1 : 0];
      const reply = replies[rnd(3) === 0 ? rnd(replies.length) : i % 200 < 100 ? 3 : 1];
      const hdr = rnd(10) === 0 ? 0 : -1;
      const data = Buffer.from(`m${i}`);
      writeMsg(cached, subject, sid, reply, hdr, data, heads);
      writeMsg(plain, subject, sid, reply, hdr, data);
    }
    expect(drain(cached)).toBe(drain(plain));
  });

  it("writes a reply given as bytes like the same reply given as a string, interleaved with the cached paths", () => {
    const subjects = ["a", "$JS.ACK.S.C.1.2"];
    const replies = [undefined, BLANK_REPLY, "_INBOX.r1", "_INBOX.r1", "$JS.ACK.S.C.1.2.3.1795432632149000000.0", `x.${"y".repeat(80)}`, "inbox.ü.0123456789"];
    let seed = 11;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const mixed = new OutboundBuffer();
    const plain = new OutboundBuffer();
    const heads = new MsgHeadCache();
    for (let i = 0; i < 3000; i++) {
      const subject = subjects[rnd(5) === 0 ? 1 : 0];
      const reply = replies[rnd(replies.length)];
      const hdr = rnd(10) === 0 ? 0 : -1;
      const data = Buffer.from(`m${i}`);
      if (reply !== undefined && reply !== BLANK_REPLY && rnd(2) === 0) {
        // As a batch holds it: somewhere inside a bigger buffer.
        const src = Buffer.concat([Buffer.from("..."), Buffer.from(reply, "utf8"), Buffer.from("...")]);
        writeMsgReplyBytes(mixed, subject, "9", src, 3, src.length - 3, hdr, data, heads);
      } else {
        writeMsg(mixed, subject, "9", reply, hdr, data, heads);
      }
      writeMsg(plain, subject, "9", reply, hdr, data);
    }
    expect(drain(mixed)).toBe(drain(plain));
  });

  it("encodes MSG with and without reply", () => {
    const out = new OutboundBuffer();
    writeMsg(out, "foo.bar", "7", undefined, -1, Buffer.from("hello"));
    writeMsg(out, "foo", "12", "_INBOX.x", -1, Buffer.alloc(0));
    expect(drain(out)).toBe("MSG foo.bar 7 5\r\nhello\r\nMSG foo 12 _INBOX.x 0\r\n\r\n");
  });

  it("encodes HMSG with header and total sizes", () => {
    const out = new OutboundBuffer();
    const hdr = encodeHeaders({ fields: [["A", "b"]] });
    const data = Buffer.concat([hdr, Buffer.from("xy")]);
    writeMsg(out, "s", "1", "r", hdr.length, data);
    expect(drain(out)).toBe(`HMSG s 1 r ${hdr.length} ${data.length}\r\nNATS/1.0\r\nA: b\r\n\r\nxy\r\n`);
  });

  it("encodes unicode subjects as UTF-8", () => {
    const out = new OutboundBuffer();
    writeMsg(out, "été", "1", undefined, -1, Buffer.from("z"));
    expect(drain(out)).toBe("MSG été 1 1\r\nz\r\n");
  });

  it("keeps order across slab boundaries and big payloads", () => {
    const out = new OutboundBuffer();
    const big = Buffer.alloc(100_000, 0x62);
    const parts: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const payload = i % 500 === 0 ? big : Buffer.from(`m${i}`);
      writeMsg(out, `s.${i}`, String(i), undefined, -1, payload);
      parts.push(`MSG s.${i} ${i} ${payload.length}\r\n${payload.toString()}\r\n`);
    }
    expect(out.length).toBe(Buffer.byteLength(parts.join("")));
    expect(drain(out)).toBe(parts.join(""));
    expect(out.length).toBe(0);
    expect(out.take()).toEqual([]);
  });

  it("does not overwrite bytes already taken", () => {
    const out = new OutboundBuffer();
    writeMsg(out, "a", "1", undefined, -1, Buffer.from("first"));
    const first = out.take();
    const snapshot = Buffer.concat(first).toString();
    writeMsg(out, "b", "2", undefined, -1, Buffer.from("second"));
    expect(Buffer.concat(first).toString()).toBe(snapshot);
    expect(drain(out)).toBe("MSG b 2 6\r\nsecond\r\n");
  });
});

describe("control encoders", () => {
  it("INFO ends with a space before CRLF like nats-server", () => {
    expect(encodeInfo({ a: 1 }).toString()).toBe('INFO {"a":1} \r\n');
  });
  it("-ERR quotes the text", () => {
    expect(encodeErr(ClientErrors.maxPayload).toString()).toBe("-ERR 'Maximum Payload Violation'\r\n");
  });
});

describe("headers", () => {
  it("round-trips fields, status and description", () => {
    const block = encodeHeaders({ status: 408, description: "Request Timeout", fields: [["Nats-Msg-Id", "1"], ["X", "a"], ["X", "b"]] });
    expect(block.toString()).toBe("NATS/1.0 408 Request Timeout\r\nNats-Msg-Id: 1\r\nX: a\r\nX: b\r\n\r\n");
    expect(decodeHeaders(block)).toEqual({
      status: 408,
      description: "Request Timeout",
      fields: [["Nats-Msg-Id", "1"], ["X", "a"], ["X", "b"]],
    });
    expect(headerValue(block, "X")).toBe("a");
    expect(headerValue(block, "nats-msg-id")).toBeUndefined();
  });
  it("the no-responders block is what nats-server sends", () => {
    expect(NO_RESPONDERS_HEADER.toString()).toBe("NATS/1.0 503\r\n\r\n");
    expect(NO_RESPONDERS_HEADER.length).toBe(16);
  });
  it("rejects blocks that are not NATS headers", () => {
    expect(() => decodeHeaders(Buffer.from("HTTP/1.1\r\n\r\n"))).toThrow();
    expect(() => decodeHeaders(Buffer.from("NATS/1.0\r\nnocolon\r\n\r\n"))).toThrow();
  });
});
