import { decodeHeaders } from "@tsnats/protocol";

/** The JetStream headers a publish may carry (names as nats-server matches them: exactly, case-sensitive). */
export const JsHeader = {
  MsgId: "Nats-Msg-Id",
  ExpectedStream: "Nats-Expected-Stream",
  ExpectedLastSeq: "Nats-Expected-Last-Sequence",
  ExpectedLastSubjSeq: "Nats-Expected-Last-Subject-Sequence",
  ExpectedLastMsgId: "Nats-Expected-Last-Msg-Id",
  Rollup: "Nats-Rollup",
} as const;

export interface PublishHeaders {
  msgId?: string;
  expectedStream?: string;
  /** Raw text: nats-server compares a non-number as a mismatch. */
  expectedLastSeq?: string;
  expectedLastSubjSeq?: string;
  expectedLastMsgId?: string;
  rollup?: string;
}

const NATS_PREFIX = Buffer.from("Nats-");

/** Reads the JetStream headers of a header block; cheap when the block has no `Nats-` header at all. */
export function readPublishHeaders(block: Uint8Array | undefined): PublishHeaders | undefined {
  if (block === undefined || block.length === 0) return undefined;
  const buf = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
  if (buf.indexOf(NATS_PREFIX, 8) < 0) return undefined;
  let h: ReturnType<typeof decodeHeaders>;
  try {
    h = decodeHeaders(block);
  } catch {
    return undefined;
  }
  const out: PublishHeaders = {};
  for (const [k, v] of h.fields) {
    switch (k) {
      case JsHeader.MsgId:
        out.msgId ??= v;
        break;
      case JsHeader.ExpectedStream:
        out.expectedStream ??= v;
        break;
      case JsHeader.ExpectedLastSeq:
        out.expectedLastSeq ??= v;
        break;
      case JsHeader.ExpectedLastSubjSeq:
        out.expectedLastSubjSeq ??= v;
        break;
      case JsHeader.ExpectedLastMsgId:
        out.expectedLastMsgId ??= v;
        break;
      case JsHeader.Rollup:
        out.rollup ??= v;
        break;
    }
  }
  return out;
}
