import { randomBytes } from "node:crypto";
import { NkeyPrefix, encodeNkey } from "@tsnats/accounts";

/**
 * Server ids look like nkey server public keys (56 characters starting with "N"), as nats-server's do.
 * Clients only compare ids, but tools that decode them find a well-formed key.
 */
export function newServerId(): string {
  return encodeNkey(NkeyPrefix.server, randomBytes(32));
}
