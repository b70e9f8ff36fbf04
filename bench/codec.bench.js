// Micro-benchmarks of the cross-thread batch codec: what the front-end writes per published message (a
// Pub op with the payload) and what a shard reads back, plus the shard's answer (MsgRef ops that point
// back into the published batch instead of carrying the payload again).
import { Bench } from "tinybench";
import { BatchReader, BatchWriter, In, Out } from "@tsnats/router";

const PAYLOAD = Buffer.alloc(128, 0x61);
const OPS = 256;
const SUBJECTS = Array.from({ length: 8 }, (_, i) => `bench.subject.${i}`);

export function codecBench() {
  const writer = new BatchWriter();
  const pubBatch = () => {
    for (let i = 0; i < OPS; i++) writer.pub(5, 7, SUBJECTS[i & 7], undefined, -1, PAYLOAD);
    return writer.take();
  };
  const sample = pubBatch();
  let bytes = 0;
  let decoded = 0;
  const refWriter = new BatchWriter();
  const refBatch = () => {
    for (let i = 0; i < OPS; i++) {
      refWriter.u8(Out.MsgRef);
      refWriter.u32(3);
      refWriter.u32(i);
    }
    return refWriter.take();
  };
  const refSample = refBatch();

  const bench = new Bench({ time: 1000, warmupTime: 200 });
  bench
    .add(`encode ${OPS} Pub ops (128 B) and take the batch`, () => {
      bytes = new DataView(pubBatch()).getUint32(0, true) || bytes;
    })
    .add(`decode ${OPS} Pub ops (128 B)`, () => {
      const r = new BatchReader(sample);
      while (!r.done) {
        if (r.u8() !== In.Pub) throw new Error("not a Pub");
        r.u32();
        r.str();
        r.optStr();
        r.i32();
        r.bytes();
        decoded++;
      }
    })
    .add(`encode ${OPS} MsgRef ops (deliveries)`, () => {
      refBatch();
    })
    .add(`decode ${OPS} MsgRef ops`, () => {
      const r = new BatchReader(refSample);
      while (!r.done) {
        r.u8();
        r.u32();
        r.u32();
      }
    });
  const pubBytes = new DataView(sample).getUint32(0, true);
  // MB/s of Pub batches only: MsgRef ops carry no payload.
  return { bench, perOp: OPS, bytesPerOp: (task) => (task.includes("Pub") ? pubBytes : 0), check: () => decoded > 0 && bytes > 0 };
}
