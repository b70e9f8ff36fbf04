import { describe, expect, it } from "vitest";
import { type ConfigMap, type ConfigValue, parseConfig, positionOf } from "../src/index.js";

describe("positionOf", () => {
  const text = [
    "port: 4222", //
    "cluster {",
    '  "name": c1',
    "  routes = [",
    "    nats://a:6222",
    "    nats://b:6222, nats://c:6222",
    "  ]",
    "}",
    "  \u{1F600}key: 1",
  ].join("\n");
  const m = parseConfig(text, { filename: "server.conf", env: {} });
  const cluster = m.cluster as ConfigMap;
  const routes = cluster.routes as ConfigValue[];

  it("gives the 1-based line and column where a key was written", () => {
    expect(positionOf(m, "port")).toEqual({ file: "server.conf", line: 1, col: 1 });
    expect(positionOf(m, "cluster")).toEqual({ file: "server.conf", line: 2, col: 1 });
    expect(positionOf(cluster, "name")).toEqual({ file: "server.conf", line: 3, col: 3 });
    expect(positionOf(cluster, "routes")).toEqual({ file: "server.conf", line: 4, col: 3 });
    expect(positionOf(m, "\u{1F600}key")).toEqual({ file: "server.conf", line: 9, col: 3 });
  });

  it("gives where each array element was written", () => {
    expect(positionOf(routes, 0)).toEqual({ file: "server.conf", line: 5, col: 5 });
    expect(positionOf(routes, 1)).toEqual({ file: "server.conf", line: 6, col: 5 });
    expect(positionOf(routes, 2)).toEqual({ file: "server.conf", line: 6, col: 20 });
  });

  it("returns undefined for unknown keys, indexes and objects", () => {
    expect(positionOf(m, "nope")).toBeUndefined();
    expect(positionOf(routes, 3)).toBeUndefined();
    expect(positionOf({}, "x")).toBeUndefined();
  });

  it("keeps positions off the parsed objects", () => {
    expect(Object.keys(m)).toEqual(["port", "cluster", "\u{1F600}key"]);
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });

  it("follows the last of duplicate keys", () => {
    const d = parseConfig("a: 1\n\na: 2", { env: {} });
    expect(positionOf(d, "a")).toEqual({ file: "<string>", line: 3, col: 1 });
  });
});
