export * from "./routing-core.js";
