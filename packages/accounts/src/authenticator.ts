import { isBcrypt, nkeySignatureValid, passwordMatches, secretEquals } from "./credentials.js";
import { type AccountsOptions, GLOBAL_ACCOUNT, type Permissions, type UserConfig } from "./types.js";

/** The credentials a client sends in CONNECT (wire names). */
export interface ClientCredentials {
  user?: string;
  pass?: string;
  auth_token?: string;
  nkey?: string;
  sig?: string;
}

/** Who a client authenticated as, and in which account it lives. */
export interface Identity {
  user?: string;
  nkey?: string;
  account: string;
  permissions?: Permissions;
}

function identityOf(u: UserConfig): Identity {
  const id: Identity = { account: u.account };
  if (u.user !== undefined) id.user = u.user;
  if (u.nkey !== undefined) id.nkey = u.nkey;
  if (u.permissions !== undefined) id.permissions = u.permissions;
  return id;
}

/**
 * Decides who a connecting client is: an nkey user (signature of the INFO nonce), a user/password (plain
 * or bcrypt), the token, or — only when it presents no credentials at all — the `no_auth_user`. A wrong
 * password never falls back to `no_auth_user`. Without any configured credentials everyone is in `$G`.
 */
export class Authenticator {
  private readonly byName = new Map<string, UserConfig>();
  private readonly byNkey = new Map<string, UserConfig>();
  private readonly token: string | undefined;
  private readonly noAuthUser: UserConfig | undefined;

  constructor(opts: AccountsOptions) {
    for (const u of [...opts.users, ...opts.accounts.flatMap((a) => a.users)]) {
      if (u.user !== undefined) this.byName.set(u.user, u);
      if (u.nkey !== undefined) this.byNkey.set(u.nkey, u);
    }
    this.token = opts.token;
    this.noAuthUser = opts.noAuthUser === undefined ? undefined : this.byName.get(opts.noAuthUser);
  }

  /** Clients must authenticate (INFO `auth_required`). */
  get required(): boolean {
    return this.byName.size > 0 || this.byNkey.size > 0 || this.token !== undefined;
  }

  /**
   * INFO's `auth_required`: with a `no_auth_user`, nats-server presents itself as an open server (clients
   * without credentials get in), though credentials that are given are still checked.
   */
  get advertised(): boolean {
    return this.required && this.noAuthUser === undefined;
  }

  /** nkey users exist, so INFO must carry a nonce for them to sign. */
  get needsNonce(): boolean {
    return this.byNkey.size > 0;
  }

  /**
   * The client's identity, or undefined when it may not connect. A promise only when a bcrypt password
   * has to be checked (slow by design); everything else answers at once.
   */
  authenticate(creds: ClientCredentials, nonce: string | undefined): Identity | undefined | Promise<Identity | undefined> {
    if (!this.required) return { account: GLOBAL_ACCOUNT };
    if (creds.nkey !== undefined) {
      const u = this.byNkey.get(creds.nkey);
      if (u === undefined || nonce === undefined || creds.sig === undefined) return undefined;
      return nkeySignatureValid(creds.nkey, nonce, creds.sig) ? identityOf(u) : undefined;
    }
    if (creds.user !== undefined && creds.user !== "") {
      const u = this.byName.get(creds.user);
      if (u === undefined) return undefined;
      const configured = u.password ?? "";
      if (isBcrypt(configured)) return passwordMatches(creds.pass ?? "", configured).then((ok) => (ok ? identityOf(u) : undefined));
      return secretEquals(creds.pass ?? "", configured) ? identityOf(u) : undefined;
    }
    if (creds.auth_token !== undefined && creds.auth_token !== "") {
      const token = this.token;
      if (token === undefined) return undefined;
      if (isBcrypt(token)) return passwordMatches(creds.auth_token, token).then((ok) => (ok ? { account: GLOBAL_ACCOUNT } : undefined));
      return secretEquals(creds.auth_token, token) ? { account: GLOBAL_ACCOUNT } : undefined;
    }
    // Only a client that presents nothing at all is the no_auth_user.
    if ((creds.pass ?? "") !== "" || this.noAuthUser === undefined) return undefined;
    return identityOf(this.noAuthUser);
  }
}
