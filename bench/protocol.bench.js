// Micro-benchmarks of the client protocol: parsing PUBs and encoding MSGs.
import { Bench } from "tinybench";
import { ClientParser, MsgHeadCache, OutboundBuffer, writeMsg } from "@tsnats/protocol";

const PAYLOAD = Buffer.alloc(128, 0x61);
const MSGS_PER_CHUNK = 256;

/** 256 PUBs of 128 bytes in one buffer, as they would arrive in one socket read. */
function pubChunk() {
  const parts = [];
  for (let i = 0; i < MSGS_PER_CHUNK; i++) parts.push(Buffer.from(`PUB bench.subject.${i % 8} 128\r\n`), PAYLOAD, Buffer.from("\r\n"));
  return Buffer.concat(parts);
}

export function protocolBench() {
  const chunk = pubChunk();
  let count = 0;
  const handler = {
    connect() {},
    pub() {
      count++;
    },
    sub() {},
    unsub() {},
    ping() {},
    pong() {},
    protocolError(e) {
      throw new Error(e.text);
    },
  };
  const parser = new ClientParser(handler, { maxControlLine: 4096, maxPayload: 1 << 20 });
  // The same bytes split in 1 KiB reads: the split-buffer path.
  const splits = [];
  for (let i = 0; i < chunk.length; i += 1024) splits.push(chunk.subarray(i, i + 1024));

  const out = new OutboundBuffer();
  const heads = new MsgHeadCache();
  const bench = new Bench({ time: 1000, warmupTime: 200 });
  bench
    .add(`parse ${MSGS_PER_CHUNK} PUBs (128 B) in one read`, () => {
      parser.parse(chunk);
    })
    .add(`parse ${MSGS_PER_CHUNK} PUBs (128 B) in 1 KiB reads`, () => {
      for (const s of splits) parser.parse(s);
    })
    .add(`encode ${MSGS_PER_CHUNK} MSGs (128 B)`, () => {
      for (let i = 0; i < MSGS_PER_CHUNK; i++) writeMsg(out, "bench.subject.1", "17", undefined, -1, PAYLOAD);
      out.take();
    })
    .add(`encode ${MSGS_PER_CHUNK} MSGs (128 B), head cache (as connections do)`, () => {
      for (let i = 0; i < MSGS_PER_CHUNK; i++) writeMsg(out, "bench.subject.1", "17", undefined, -1, PAYLOAD, heads);
      out.take();
    })
    .add(`encode ${MSGS_PER_CHUNK} MSGs (128 B) with reply`, () => {
      for (let i = 0; i < MSGS_PER_CHUNK; i++) writeMsg(out, "bench.subject.1", "17", "_INBOX.abcdefghij.123", -1, PAYLOAD);
      out.take();
    });
  return {
    bench,
    perOp: MSGS_PER_CHUNK,
    bytesPerOp: chunk.length,
    check: () => count > 0,
  };
}
