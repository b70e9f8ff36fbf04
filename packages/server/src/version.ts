/** tsnats' own version (INFO's `tsnats` field, `-v`). */
export const VERSION = "0.1.0";

/**
 * The NATS feature level tsnats implements, sent as INFO's `version`: clients pick protocol and API
 * forms from it (nats.js needs at least 2.9.4 for `consumers.get()` and uses 2.9+ consumer subjects).
 */
export const NATS_VERSION = "2.10.0";
