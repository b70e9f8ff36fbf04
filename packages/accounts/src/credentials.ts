import { createPublicKey, randomBytes, timingSafeEqual, verify } from "node:crypto";
import bcrypt from "bcryptjs";
import { NkeyPrefix, decodeNkey } from "./nkeys.js";

/** Constant-time comparison of two secrets. */
export function secretEquals(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

export function isBcrypt(password: string): boolean {
  return password.startsWith("$2a$") || password.startsWith("$2b$") || password.startsWith("$2y$");
}

/** Checks a password against a configured one, plain or bcrypt. bcrypt is slow by design, hence async. */
export async function passwordMatches(given: string, configured: string): Promise<boolean> {
  if (isBcrypt(configured)) return bcrypt.compare(given, configured);
  return secretEquals(given, configured);
}

/** Verifies that `sig` (base64 or base64url) is the nkey's ed25519 signature of `nonce`. */
export function nkeySignatureValid(nkey: string, nonce: string, sig: string): boolean {
  const raw = decodeNkey(nkey, NkeyPrefix.user);
  if (raw === undefined) return false;
  try {
    const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") }, format: "jwk" });
    return verify(null, Buffer.from(nonce, "utf8"), key, Buffer.from(sig, "base64"));
  } catch {
    return false;
  }
}

/** A fresh nonce for INFO, for clients that sign it with their nkey (like nats-server's: 11 random bytes, base64url). */
export function newNonce(): string {
  return randomBytes(11).toString("base64url");
}
