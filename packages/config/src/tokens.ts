/** What the lexer hands the parser. */
export type TokenKind =
  | "key"
  | "string"
  | "bool"
  | "integer" // text may carry a size suffix, e.g. "64MB"
  | "float"
  | "datetime"
  | "variable" // text is the name, without the '$'
  | "include" // text is the path as written
  | "arrayStart"
  | "arrayEnd"
  | "mapStart"
  | "mapEnd"
  | "eof";

export interface Token {
  kind: TokenKind;
  /** Decoded text: string contents with escapes applied, a key's name, a number as written. */
  text: string;
  /** Offset in the source where the token was written (for quoted keys, the opening quote). */
  offset: number;
}
