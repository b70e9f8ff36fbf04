// Micro-benchmark of consumer delivery inside a shard: an account's JetStream on the memory store with a
// stream of 10k messages; a push consumer is created and delivers all of them to a host that only counts
// (no sockets, no threads): the cost of reading, encoding the ack subject and tracking pending per message.
import { Bench } from "tinybench";
import { AccountJetStream, UNLIMITED } from "@tsnats/jetstream";
import { MemoryAccountStore, messageSize } from "@tsnats/store";

const MESSAGES = 10_000;
const PAYLOAD = Buffer.alloc(128, 0x61);

export function consumerBench() {
  let delivered = 0;
  let acks = [];
  let wake;
  const host = {
    publish(subject, reply) {
      if (subject !== "deliver") return;
      delivered++;
      if (reply !== undefined && reply.startsWith("$JS.ACK.")) acks.push(reply);
      if (delivered >= MESSAGES && wake) wake();
    },
    hasInterest: (subject) => subject === "deliver",
    subscribe: () => () => {},
    messageSize: (subject, headers, data, memory) => messageSize(subject, headers, data, memory ? "memory" : "file"),
  };
  const js = new AccountJetStream("BENCH", UNLIMITED, new MemoryAccountStore(), host, 0);
  const { stream } = js.createStream({ name: "S", subjects: ["s.>"], storage: "memory" }, "S");
  for (let i = 0; i < MESSAGES; i++) js.publishToStream(stream, `s.${i & 7}`, undefined, undefined, PAYLOAD);
  js.commit(true);

  let n = 0;
  /** Creates a push consumer and waits until it delivered the whole stream, acking each when `ack`. */
  const deliverAll = (ack) => async () => {
    delivered = 0;
    acks = [];
    const name = `C${n++}`;
    const done = new Promise((r) => (wake = r));
    const config = { durable_name: name, deliver_subject: "deliver", ack_policy: ack ? "explicit" : "none", ...(ack ? { max_ack_pending: 20_000 } : {}) };
    js.createConsumer("S", { stream_name: "S", config }, { durable: true, name, filter: undefined });
    js.commit(true);
    if (ack) {
      // Acks arrive while deliveries go on, as they would from a client.
      const drain = setInterval(() => {
        for (const a of acks.splice(0)) js.handleAck(a, undefined, Buffer.alloc(0));
        js.commit();
      }, 0);
      await done;
      clearInterval(drain);
    } else {
      await done;
    }
    js.removeConsumer(stream, stream.consumers.get(name));
  };

  const bench = new Bench({ time: 2000, warmupTime: 300 });
  bench.add(`push consumer delivers ${MESSAGES} stored messages (ack none)`, deliverAll(false)).add(`push consumer delivers ${MESSAGES} stored messages, acks applied`, deliverAll(true));
  return { bench, perOp: MESSAGES, bytesPerOp: () => MESSAGES * PAYLOAD.length, check: () => n > 0 };
}
