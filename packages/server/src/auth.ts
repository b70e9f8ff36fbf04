import { timingSafeEqual } from "node:crypto";
import type { AuthorizationOptions } from "./options.js";

/** The credentials a client sends in CONNECT. */
export interface ClientCredentials {
  user?: string;
  pass?: string;
  auth_token?: string;
}

/** Who a client authenticated as, and in which account it lives. */
export interface Identity {
  user?: string;
  account: string;
}

/** The global account: where every client lives when no accounts are configured. */
export const GLOBAL_ACCOUNT = "$G";

function secretEquals(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Checks CONNECT credentials against the `authorization` block: a token, a single user, or a list of
 * users. Returns the identity, or undefined when the client is not allowed in.
 */
export class Authenticator {
  constructor(private readonly auth: AuthorizationOptions) {}

  get required(): boolean {
    const a = this.auth;
    return a.user !== undefined || a.token !== undefined || (a.users !== undefined && a.users.length > 0);
  }

  authenticate(creds: ClientCredentials): Identity | undefined {
    const a = this.auth;
    if (!this.required) return { account: GLOBAL_ACCOUNT };
    if (a.token !== undefined && creds.auth_token !== undefined && secretEquals(creds.auth_token, a.token)) {
      return { account: GLOBAL_ACCOUNT };
    }
    if (creds.user === undefined) return undefined;
    if (a.user !== undefined && creds.user === a.user && secretEquals(creds.pass ?? "", a.password ?? "")) {
      return { user: creds.user, account: GLOBAL_ACCOUNT };
    }
    for (const u of a.users ?? []) {
      if (u.user === creds.user && secretEquals(creds.pass ?? "", u.password)) return { user: u.user, account: GLOBAL_ACCOUNT };
    }
    return undefined;
  }
}
