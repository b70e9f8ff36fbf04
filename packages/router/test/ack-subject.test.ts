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

  it("reads every ack right in a run that switches between names sharing their beginnings", () => {
    // The parser remembers the last stream and consumer: each ack must still be read as itself.
    const reference = (subject: string): AckTarget | undefined => {
      const t = subject.split(".");
      if (t.length !== 9 || t[0] !== "$JS" || t[1] !== "ACK" || t.slice(2).some((x) => x === "") || !/^[0-9]{1,15}$/.test(t[5])) return undefined;
      return { stream: t[2], consumer: t[3], sseq: Number(t[5]) };
    };
    const names = ["S", "SS", "S1", "ORDERS", "ü"];
    const consumers = ["C", "CC", "C.x", "worker", ""];
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let i = 0; i < 3000; i++) {
      const subject = `$JS.ACK.${names[rand(names.length)]}.${consumers[rand(consumers.length)]}.1.${rand(5) === 0 ? "x" : i}.2.1795421071140123456.0`;
      expect(parse(subject), subject).toEqual(reference(subject));
    }
  });
});
