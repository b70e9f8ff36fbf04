import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/index.js";
import { CONFORMANCE_CASES, CONFORMANCE_ENV, DELIBERATE_ERRORS } from "./conformance-cases.js";

describe("agrees with nats-server's parser", () => {
  for (const c of CONFORMANCE_CASES) {
    if ("value" in c) {
      it(`accepts ${JSON.stringify(c.text)}`, () => {
        expect(parseConfig(c.text, { env: CONFORMANCE_ENV })).toEqual(c.value);
      });
    } else {
      it(`rejects ${JSON.stringify(c.text)}`, () => {
        expect(() => parseConfig(c.text, { env: CONFORMANCE_ENV })).toThrow(ConfigError);
      });
    }
  }
});

describe("is stricter than nats-server where nats-server loses data", () => {
  for (const c of DELIBERATE_ERRORS) {
    it(`rejects ${JSON.stringify(c.text)} (${c.why})`, () => {
      expect(() => parseConfig(c.text, { env: CONFORMANCE_ENV })).toThrow(ConfigError);
    });
  }
});
