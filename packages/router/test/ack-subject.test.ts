import { describe, expect, it } from "vitest";
import { type AckTarget, parseAckSubject } from "../src/ack-subject.js";

function parse(subject: string): AckTarget | undefined {
  const buf = Buffer.from(`xx${subject}yy`, "utf8"); // inside a larger buffer, as in a batch
  const out: AckTarget = { stream: "", consumer: "", sseq: 0 };
  return parseAckSubject(buf, 2, buf.length - 2, out) ? { ...out } : undefined;
}

describe("ack subjects read from bytes", () => {
  it("finds the stream, the consumer and the stream sequence", () => {
    expect(parse("$JS.ACK.ORDERS.worker.1.4567.12.1795421071140123456.3")).toEqual({ stream: "ORDERS", consumer: "worker", sseq: 4567 });
    expect(parse("$JS.ACK.ünï.c.2.9007199254740.1.1.0")).toEqual({ stream: "ünï", consumer: "c", sseq: 9007199254740 });
  });

  it("leaves anything else to the ordinary route", () => {
    for (const s of [
      "$JS.ACK.S.C.1.2.3.4", // eight tokens
      "$JS.ACK.S.C.1.2.3.4.5.6", // ten
      "$JS.ACK.S..1.2.3.4.5", // an empty token
      "$JS.ACK.S.C.1.x.3.4.5", // a sequence that is no number
      "$JS.ACK.S.C.1.-2.3.4.5",
      "$JS.ACK.S.C.1.1234567890123456.3.4.5", // past exact integers
      "$JS.API.S.C.1.2.3.4.5",
      "$JS.ACK.",
      "$JS.ACK.S.C.1.2.3.4.5.",
    ]) {
      expect(parse(s), s).toBeUndefined();
    }
  });
});
