import "./buffer-fast.js";
export { ClientParser, type ClientOpHandler, type ClientParserLimits } from "./client-parser.js";
export { ClientErrors, type ClientError, type ClientErrorName, encodeErr } from "./errors.js";
export { OutboundBuffer } from "./outbound.js";
export { writeMsg, writeMsgReplyBytes, MsgHeadCache, encodeInfo, BLANK_REPLY, PING, PONG, OK } from "./encode.js";
export { decodeHeaders, encodeHeaders, headerValue, addHeader, addHeaderLine, headerLine, withHeader, withoutHeader, REQUEST_INFO_HEADER, HeaderError, NO_RESPONDERS_HEADER, type HeaderBlock } from "./headers.js";
export { randomBase62 } from "./random.js";
export { splitFields, parseSize, fieldString } from "./args.js";
export { decimalDigits, writeDecimal } from "./decimal.js";
