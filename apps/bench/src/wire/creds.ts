// Credentials that sign the server's nonce: a `.creds` file (a user JWT and its nkey seed) or an nkey
// seed alone. The seed is base32 text: two prefix bytes, 32 ed25519 seed bytes, a CRC-16.
import { createPrivateKey, createPublicKey, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { NkeyPrefix, base32Decode, crc16, encodeNkey } from "@tsnats/accounts";

/** What goes into CONNECT besides the basics; `sign` answers INFO's nonce. */
export interface NonceSigner {
  jwt?: string;
  nkey?: string;
  sign(nonce: string): string;
}

// DER prefix of a PKCS#8 ed25519 private key, followed by the 32 seed bytes.
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");

function signerFromSeed(seedText: string): { sign(nonce: string): string; publicKey: string } {
  const raw = base32Decode(seedText.trim());
  if (raw === undefined || raw.length !== 36 || raw[0] >> 3 !== 18 || crc16(raw.subarray(0, 34)) !== raw.readUInt16LE(34)) {
    throw new Error("not an nkey seed (SU...)");
  }
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, raw.subarray(2, 34)]), format: "der", type: "pkcs8" });
  const spki = createPublicKey(key).export({ format: "der", type: "spki" });
  return {
    publicKey: encodeNkey(NkeyPrefix.user, spki.subarray(spki.length - 32)),
    sign: (nonce) => sign(null, Buffer.from(nonce), key).toString("base64url"),
  };
}

/** Reads a `.creds` file: the JWT and seed between their `-----BEGIN ...-----` / `------END ...------` lines. */
export function readCreds(file: string): NonceSigner {
  const text = readFileSync(file, "utf8");
  const block = (name: string): string | undefined => {
    const lines = text.split(/\r?\n/);
    const start = lines.findIndex((l) => l.includes(`BEGIN ${name}`));
    return start < 0 ? undefined : lines[start + 1]?.trim();
  };
  const jwt = block("NATS USER JWT");
  const seed = block("USER NKEY SEED");
  if (jwt === undefined || seed === undefined) throw new Error(`${file}: not a credentials file (no JWT or seed)`);
  return { jwt, sign: signerFromSeed(seed).sign };
}

/** Reads a file holding an nkey seed: CONNECT carries the public nkey and the signed nonce. */
export function readNkeySeed(file: string): NonceSigner {
  const s = signerFromSeed(readFileSync(file, "utf8"));
  return { nkey: s.publicKey, sign: s.sign };
}
