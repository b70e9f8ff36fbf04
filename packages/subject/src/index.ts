export { isValidSubject, isValidLiteralSubject, subjectIsLiteral, tokenCount } from "./validate.js";
export { subjectMatches } from "./subject-match.js";
export { subjectIsSubsetMatch, subjectsCollide } from "./subject-relations.js";
export { Sublist } from "./sublist.js";
export type { MatchResult, SublistOptions, SublistStats, Subscription } from "./types.js";
