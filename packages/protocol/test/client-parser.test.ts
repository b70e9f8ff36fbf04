import { describe, expect, it } from "vitest";
import { type ClientError, ClientErrors, ClientParser, type ClientOpHandler } from "../src/index.js";

type Event = [string, ...unknown[]];

/** A seeded generator (a failure reproduces): the next of a fixed sequence of non-negative integers. */
function seeded(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
}

class Recorder implements ClientOpHandler {
  events: Event[] = [];
  error: ClientError | undefined;
  connect(json: string) {
    this.events.push(["connect", json]);
  }
  pub(subject: string, reply: string | undefined, headerSize: number, data: Uint8Array) {
    this.events.push(["pub", subject, reply, headerSize, Buffer.from(data).toString("latin1")]);
  }
  sub(subject: string, queue: string | undefined, sid: string) {
    this.events.push(["sub", subject, queue, sid]);
  }
  unsub(sid: string, max: number) {
    this.events.push(["unsub", sid, max]);
  }
  ping() {
    this.events.push(["ping"]);
  }
  pong() {
    this.events.push(["pong"]);
  }
  protocolError(err: ClientError) {
    this.error = err;
  }
}

const limits = { maxControlLine: 4096, maxPayload: 1024 * 1024 };

function parseChunks(chunks: Buffer[], lim = limits): Recorder {
  const r = new Recorder();
  const p = new ClientParser(r, lim);
  for (const c of chunks) p.parse(c);
  return r;
}

function parseAll(input: string | Buffer, lim = limits): Recorder {
  return parseChunks([typeof input === "string" ? Buffer.from(input, "latin1") : input], lim);
}

const STREAM = [
  'CONNECT {"verbose":false,"pedantic":false,"headers":true}\r\n',
  "PUB foo 5\r\nhello\r\n",
  "PUB foo.bar INBOX.1 3\r\nabc\r\n",
  "PUB empty 0\r\n\r\n",
  "HPUB h 12 14\r\nNATS/1.0\r\n\r\nhi\r\n",
  "HPUB h reply 18 23\r\nNATS/1.0\r\nA: B\r\n\r\n\r\nxyz\r\n",
  "SUB foo 1\r\n",
  "SUB foo.* workers 22\r\n",
  "UNSUB 1\r\n",
  "UNSUB 22 10\r\n",
  "PING\r\n",
  "PONG\r\n",
  "pub lower 1\r\nx\r\n",
  "sUb \t spaced\t\t q  7  \r\n",
  "PUB binary 4\r\n\r\n\r\n\r\n",
  "PUB \u00e9t\u00e9 1\r\nz\r\n",
].join("");

const EXPECTED: Event[] = [
  ["connect", '{"verbose":false,"pedantic":false,"headers":true}'],
  ["pub", "foo", undefined, -1, "hello"],
  ["pub", "foo.bar", "INBOX.1", -1, "abc"],
  ["pub", "empty", undefined, -1, ""],
  ["pub", "h", undefined, 12, "NATS/1.0\r\n\r\nhi"],
  ["pub", "h", "reply", 18, "NATS/1.0\r\nA: B\r\n\r\n\r\nxyz"],
  ["sub", "foo", undefined, "1"],
  ["sub", "foo.*", "workers", "22"],
  ["unsub", "1", 0],
  ["unsub", "22", 10],
  ["ping"],
  ["pong"],
  ["pub", "lower", undefined, -1, "x"],
  ["sub", "spaced", "q", "7"],
  ["pub", "binary", undefined, -1, "\r\n\r\n"],
  ["pub", "\u00e9t\u00e9", undefined, -1, "z"],
];

describe("ClientParser", () => {
  const streamBytes = Buffer.from(STREAM, "utf8");

  it("parses every op in one read", () => {
    const r = parseAll(streamBytes);
    expect(r.error).toBeUndefined();
    expect(r.events).toEqual(EXPECTED);
  });

  it("reads reply subjects of every length and byte alike in one read and byte by byte", () => {
    // The fast path skips reply subjects four bytes at a time: lengths around every word boundary, with
    // separators, control and non-ASCII bytes at every position of a word.
    const next = seeded(99);
    const plain = "abcXYZ019._-$>*";
    // Bytes as written (latin1): UTF-8 (C3 A9), lone bytes 0x80-0xa0 (not UTF-8; above 0xa0 every byte
    // looks like a control byte once 0x21 is subtracted), control bytes.
    const odd = ["\x01", "\x7f", "\x80", "\xa0", "\xc3\xa9", "\x1f"];
    let input = 'CONNECT {"verbose":false}\r\n';
    for (let len = 1; len <= 70; len++) {
      for (let k = 0; k < 3; k++) {
        let reply = "";
        for (let i = 0; i < len; i++) reply += next() % 9 === 0 ? odd[next() % odd.length] : plain[next() % plain.length];
        const sep = [" ", "\t", "  ", " \t "][next() % 4];
        // Sizes of 1 to 4 digits: a separator followed by three plain bytes is one word.
        const size = [1, 20, 300, 1000][(len + k) % 4] + k;
        input += `PUB s.${len}${sep}${reply}${sep}${size}\r\n${"x".repeat(size)}\r\n`;
      }
    }
    const bytes = Buffer.from(input, "latin1");
    const whole = parseAll(bytes);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i++) chunks.push(bytes.subarray(i, i + 1));
    const slow = parseChunks(chunks);
    expect(whole.error).toBeUndefined();
    expect(whole.events.length).toBe(1 + 70 * 3);
    expect(whole.events).toEqual(slow.events);
  });

  it("parses every op fed one byte at a time", () => {
    const chunks: Buffer[] = [];
    for (let i = 0; i < streamBytes.length; i++) chunks.push(streamBytes.subarray(i, i + 1));
    const r = parseChunks(chunks);
    expect(r.error).toBeUndefined();
    expect(r.events).toEqual(EXPECTED);
  });

  it("parses every op split at every offset", () => {
    for (let i = 1; i < streamBytes.length; i++) {
      const r = parseChunks([streamBytes.subarray(0, i), streamBytes.subarray(i)]);
      expect(r.error, `split at ${i}`).toBeUndefined();
      expect(r.events, `split at ${i}`).toEqual(EXPECTED);
    }
  });

  it("parses every op split in three at many offsets", () => {
    const n = streamBytes.length;
    for (let i = 1; i < n; i += 7) {
      for (let j = i + 1; j < n; j += 11) {
        const r = parseChunks([streamBytes.subarray(0, i), streamBytes.subarray(i, j), streamBytes.subarray(j)]);
        expect(r.events).toEqual(EXPECTED);
      }
    }
  });

  it("accepts bare LF line endings", () => {
    const r = parseAll("PING\nSUB a 1\nPUB a 1\nx\r\n");
    expect(r.events).toEqual([["ping"], ["sub", "a", undefined, "1"], ["pub", "a", undefined, -1, "x"]]);
  });

  it("ignores trailing bytes after PING/PONG up to LF, like nats-server", () => {
    const r = parseAll("PING  \r\nPONG\r\n");
    expect(r.events).toEqual([["ping"], ["pong"]]);
  });

  it("hands out payloads as views of the read buffer when they arrived whole", () => {
    const buf = Buffer.from("PUB a 3\r\nabc\r\n");
    let data: Uint8Array | undefined;
    const p = new ClientParser(
      {
        ...new Recorder(),
        connect() {},
        sub() {},
        unsub() {},
        ping() {},
        pong() {},
        protocolError() {},
        pub(_s, _r, _h, d) {
          data = d;
        },
      },
      limits,
    );
    p.parse(buf);
    expect(data!.buffer).toBe(buf.buffer);
  });

  it("keeps a payload split across reads intact after the reads' buffers change", () => {
    const a = Buffer.from("PUB a 6\r\nabc");
    const b = Buffer.from("def\r\n");
    const r = new Recorder();
    const p = new ClientParser(r, limits);
    p.parse(a);
    a.fill(0);
    p.parse(b);
    expect(r.events).toEqual([["pub", "a", undefined, -1, "abcdef"]]);
  });

  it("stops after the handler stops it", () => {
    const r = new Recorder();
    const p = new ClientParser(
      Object.assign(r, {
        ping() {
          r.events.push(["ping"]);
          p.stop();
        },
      }),
      limits,
    );
    p.parse(Buffer.from("PING\r\nPING\r\nSUB a 1\r\n"));
    expect(r.events).toEqual([["ping"]]);
    expect(p.stopped).toBe(true);
  });

  describe("malformed input", () => {
    const cases: Array<[string, string, ClientError]> = [
      ["unknown op", "FOO\r\n", ClientErrors.unknownOp],
      ["unknown long op", "SUBSCRIBE a 1\r\n", ClientErrors.unknownOp],
      ["blank line", "\r\n", ClientErrors.unknownOp],
      ["digits as op", "123\r\n", ClientErrors.unknownOp],
      ["op glued to args", "PUBfoo 1\r\nx\r\n", ClientErrors.unknownOp],
      ["UNSUB without sid", "UNSUB\r\n", ClientErrors.unknownOp],
      ["SUB without sid", "SUB foo\r\n", ClientErrors.unknownOp],
      ["SUB with too many args", "SUB foo bar 1 2\r\n", ClientErrors.unknownOp],
      ["SUB with only spaces", "SUB   \r\n", ClientErrors.unknownOp],
      ["PUB without size", "PUB foo\r\n", ClientErrors.unknownOp],
      ["PUB with bad size", "PUB foo x\r\n", ClientErrors.unknownOp],
      ["PUB with negative size", "PUB foo -1\r\n", ClientErrors.unknownOp],
      ["PUB with too many args", "PUB foo bar baz 1\r\n", ClientErrors.unknownOp],
      ["HPUB header larger than total", "HPUB foo 10 5\r\n", ClientErrors.unknownOp],
      ["HPUB with one size", "HPUB foo 5\r\n", ClientErrors.unknownOp],
      ["UNSUB with bad max", "UNSUB 1 x\r\n", ClientErrors.unknownOp],
      ["payload longer than announced", "PUB foo 2\r\nabc\r\n", ClientErrors.unknownOp],
      ["payload without CRLF", "PUB foo 2\r\nabXY", ClientErrors.unknownOp],
      ["CR without LF", "SUB a 1\rX", ClientErrors.unknownOp],
      ["payload over max_payload", "PUB foo 2000000\r\n", ClientErrors.maxPayload],
      ["HPUB over max_payload", "HPUB foo 12 2000000\r\n", ClientErrors.maxPayload],
      ["control line too long", `PUB ${"a".repeat(5000)} 1\r\nx\r\n`, ClientErrors.maxControlLine],
    ];
    for (const [name, input, err] of cases) {
      it(`${name}: ${err.text}`, () => {
        expect(parseAll(input).error).toBe(err);
      });
      it(`${name}, byte by byte: ${err.text}`, () => {
        const b = Buffer.from(input, "latin1");
        const chunks = [...b].map((x) => Buffer.from([x]));
        expect(parseChunks(chunks).error).toBe(err);
      });
    }

    it("catches an over-long control line before it ends", () => {
      const r = new Recorder();
      const p = new ClientParser(r, limits);
      p.parse(Buffer.from("SUB "));
      for (let i = 0; i < 100 && !r.error; i++) p.parse(Buffer.alloc(100, 0x61));
      expect(r.error).toBe(ClientErrors.maxControlLine);
    });

    it("allows a CONNECT longer than the control line limit", () => {
      const json = JSON.stringify({ jwt: "x".repeat(8000) });
      const r = parseAll(`CONNECT ${json}\r\nPING\r\n`);
      expect(r.error).toBeUndefined();
      expect(r.events).toEqual([["connect", json], ["ping"]]);
    });

    it("does not deliver ops after an error", () => {
      const r = parseAll("SUB a 1\r\nFOO\r\nSUB b 2\r\n");
      expect(r.events).toEqual([["sub", "a", undefined, "1"]]);
      expect(r.error).toBe(ClientErrors.unknownOp);
    });

    it("survives random bytes: an error or ops, never an exception", () => {
      const rand = seeded(12345);
      const alphabet = Buffer.from("PUBSHINGOCTpubsh \t\r\n0123456789.*>{}\"abc");
      for (let round = 0; round < 2000; round++) {
        const n = rand() % 64;
        const b = Buffer.alloc(n);
        for (let i = 0; i < n; i++) b[i] = rand() % 3 === 0 ? rand() % 256 : alphabet[rand() % alphabet.length];
        expect(() => parseAll(b)).not.toThrow();
      }
    });
  });
});

describe("ClientParser pause/resume", () => {
  it("holds everything after the op that paused it, across reads, and parses it in order on resume", () => {
    const r = new Recorder();
    const p = new ClientParser(
      Object.assign(r, {
        connect(json: string) {
          r.events.push(["connect", json]);
          p.pause();
        },
      }),
      limits,
    );
    const input = Buffer.from('CONNECT {}\r\nSUB a 1\r\nPUB a 2\r\nhi\r\nPING\r\n');
    for (let split = 1; split < input.length; split++) {
      r.events = [];
      // fresh parser per split
      const q = new ClientParser(
        Object.assign(r, {
          connect(json: string) {
            r.events.push(["connect", json]);
            q.pause();
          },
        }),
        limits,
      );
      q.parse(input.subarray(0, split));
      q.parse(input.subarray(split));
      const before = r.events.length;
      expect(before).toBeLessThanOrEqual(1);
      q.resume();
      expect(r.events, `split ${split}`).toEqual([["connect", "{}"], ["sub", "a", undefined, "1"], ["pub", "a", undefined, -1, "hi"], ["ping"]]);
    }
    void p;
  });
});

/** Records what the parser says of each publish subject's validity. */
class ValidityRecorder extends Recorder {
  constructor(private readonly seen: (boolean | undefined)[]) {
    super();
  }
  override pub(_subject: string, _reply: string | undefined, _headerSize: number, _data: Uint8Array, valid?: boolean) {
    this.seen.push(valid);
  }
}

describe("the fast path's subject check", () => {
  /** nats-server's rule for a publish subject, written the plain way: tokens non-empty, none a lone wildcard, no whitespace. */
  function validPublishSubject(s: string): boolean {
    if (/[ \t\r\n\f]/.test(s)) return false;
    return s.split(".").every((t) => t !== "" && t !== "*" && t !== ">");
  }

  it("agrees with nats-server's rule on crafted and random subjects, whole or split across reads", () => {
    const crafted = ["a", "a.b", "a..b", ".a", "a.", "*", ">", "a.*", "a.>", "*.a", "a.*b", "a*.b", ">a", "a.>.b", "a\fb", "a.\f", "$JS.ACK.S.C.1.2.3.4.0"];
    const next = seeded(7);
    const alphabet = "ab.*>\f";
    const random: string[] = [];
    for (let k = 0; k < 2000; k++) {
      let s = "";
      for (let n = 1 + (next() % 8); n > 0; n--) s += alphabet[next() % alphabet.length];
      random.push(s);
    }
    for (const subject of [...crafted, ...random]) {
      const seen: (boolean | undefined)[] = [];
      const p = new ClientParser(new ValidityRecorder(seen), limits);
      // Whole (the fast path answers), then with the payload in a later read (the answer kept meanwhile).
      p.parse(Buffer.from(`PUB ${subject} r 1\r\nx\r\n`, "latin1"));
      p.parse(Buffer.from(`PUB ${subject} 2\r\n`, "latin1"));
      p.parse(Buffer.from("xy\r\n", "latin1"));
      const want = validPublishSubject(subject);
      expect(seen, subject).toEqual([want, want]);
    }
  });

  it("is not given where the parser did not look (a control line split across reads)", () => {
    const seen: (boolean | undefined)[] = [];
    const p = new ClientParser(new ValidityRecorder(seen), limits);
    p.parse(Buffer.from("PUB a.", "latin1"));
    p.parse(Buffer.from("b 1\r\nx\r\n", "latin1"));
    expect(seen).toEqual([undefined]);
  });
});
