/**
 * The cross-account setup the benchmarks use: account JSA owns the stream (JetStream on) and exports its
 * API (responses as streams), acks, flow control, the publish subject and the deliver subject; account U
 * imports them, the API under `JS.JSA.API`. Users: jsa/p and u/p, plus `extraJsaUsers` (config text).
 */
export const XACCT_API_PREFIX = "JS.JSA.API";

export function xacctConfig(storeDir: string, extraJsaUsers: string[] = []): string {
  return `
jetstream { store_dir: "${storeDir}" }
accounts {
  JSA {
    jetstream: enabled
    users: [
      { user: jsa, password: p }
      ${extraJsaUsers.join("\n      ")}
    ]
    exports: [
      { service: "$JS.API.>", response_type: stream }
      { service: "$JS.ACK.>" }
      { service: "$JS.FC.>" }
      { service: "bench" }
      { stream: "bench.deliver" }
    ]
  }
  U {
    users: [ { user: u, password: p } ]
    imports: [
      { service: { account: JSA, subject: "$JS.API.>" }, to: "${XACCT_API_PREFIX}.>" }
      { service: { account: JSA, subject: "$JS.ACK.>" } }
      { service: { account: JSA, subject: "$JS.FC.>" } }
      { service: { account: JSA, subject: "bench" } }
      { stream: { account: JSA, subject: "bench.deliver" } }
    ]
  }
}
`;
}
