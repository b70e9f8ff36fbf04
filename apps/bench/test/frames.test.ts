import { describe, expect, it } from "vitest";
import { FrameReader, type MsgView, ackStreamSeq, isStatus, lastTokenNumber, replyOf, statusOf, subjectOf } from "../dist/wire/frames.js";

interface Seen {
  subject: string;
  reply: string | undefined;
  hdr: number;
  body: string;
}

function reader() {
  const msgs: Seen[] = [];
  const events: string[] = [];
  const r = new FrameReader({
    msg: (m: MsgView) => msgs.push({ subject: subjectOf(m), reply: replyOf(m), hdr: m.headerBytes, body: m.buf.toString("latin1", m.payloadStart, m.payloadEnd) }),
    ping: () => events.push("ping"),
    pong: () => events.push("pong"),
    info: (json) => events.push(`info ${json}`),
    err: (text) => events.push(`err ${text}`),
  });
  return { r, msgs, events };
}

const STREAM =
  'INFO {"server_id":"x"}\r\n+OK\r\nMSG a.b 1 5\r\nhello\r\nHMSG c 2 _INBOX.x.7 12 14\r\nNATS/1.0\r\n\r\nhi\r\nPING\r\nMSG d\t1\t0\r\n\r\nPONG\r\n';

describe("FrameReader", () => {
  it("reads every kind of line and frame", () => {
    const { r, msgs, events } = reader();
    r.push(Buffer.from(STREAM));
    expect(msgs).toEqual([
      { subject: "a.b", reply: undefined, hdr: 0, body: "hello" },
      { subject: "c", reply: "_INBOX.x.7", hdr: 12, body: "NATS/1.0\r\n\r\nhi" },
      { subject: "d", reply: undefined, hdr: 0, body: "" },
    ]);
    expect(events).toEqual(['info {"server_id":"x"}', "ping", "pong"]);
  });

  it("reads the same bytes split anywhere: one byte at a time, and in every two-piece split", () => {
    const whole = reader();
    whole.r.push(Buffer.from(STREAM));
    const bytes = Buffer.from(STREAM);
    const one = reader();
    for (let i = 0; i < bytes.length; i++) one.r.push(bytes.subarray(i, i + 1));
    expect(one.msgs).toEqual(whole.msgs);
    expect(one.events).toEqual(whole.events);
    for (let cut = 1; cut < bytes.length; cut++) {
      const two = reader();
      two.r.push(bytes.subarray(0, cut));
      two.r.push(bytes.subarray(cut));
      expect(two.msgs).toEqual(whole.msgs);
    }
  });

  it("gathers a large payload arriving over many reads", () => {
    const payload = Buffer.alloc(3_000_000, 0x7a);
    const bytes = Buffer.concat([Buffer.from(`MSG big 1 ${payload.length}\r\n`), payload, Buffer.from("\r\nPING\r\n")]);
    const { r, msgs, events } = reader();
    for (let i = 0; i < bytes.length; i += 65_536) r.push(bytes.subarray(i, i + 65_536));
    expect(msgs.map((m) => [m.subject, m.body.length])).toEqual([["big", payload.length]]);
    expect(events).toEqual(["ping"]);
  });

  it("empty lines are skipped; -ERR, unknown and malformed lines are reported", () => {
    const { r, msgs, events } = reader();
    r.push(Buffer.from("\r\n-ERR 'Authorization Violation'\r\nWHAT is this\r\nMSG onlysubject\r\nMSG ok 1 2\r\nok\r\n"));
    expect(events).toEqual(["err 'Authorization Violation'", "err unknown line: WHAT is this", "err malformed line: MSG onlysubject"]);
    expect(msgs.map((m) => m.subject)).toEqual(["ok"]);
  });

  it("statuses, the last token's number, ack subjects in both forms", () => {
    const views: { status: number; isStatus: boolean; last: number }[] = [];
    const rr = new FrameReader({
      msg: (m) => views.push({ status: statusOf(m), isStatus: isStatus(m), last: lastTokenNumber(m) }),
      ping() {},
      pong() {},
      info() {},
      err() {},
    });
    rr.push(Buffer.from("HMSG _INBOX.a.42 1 28 28\r\nNATS/1.0 408 Request Timeout\r\n\r\nHMSG x.9 1 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"));
    expect(views).toEqual([
      { status: 408, isStatus: true, last: 42 },
      { status: 0, isStatus: false, last: 9 },
    ]);
    const seq = (s: string) => ackStreamSeq(Buffer.from(s), 0, s.length);
    expect(seq("$JS.ACK.S.C.1.17.3.1700000000000000000.0")).toBe(17);
    expect(seq("$JS.ACK.dom.ACCHASH.S.C.1.18.3.1700000000000000000.0")).toBe(18);
    expect(seq("$JS.ACK.dom.ACCHASH.S.C.1.19.3.1700000000000000000.0.rnd")).toBe(19);
    expect(seq("$JS.ACK.S.C.1")).toBe(-1);
  });
});
