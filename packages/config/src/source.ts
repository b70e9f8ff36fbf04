import { ConfigError } from "./errors.js";
import type { ConfigPosition } from "./types.js";

/**
 * The text being parsed plus the file name it came from. Tokens carry only
 * offsets; this turns an offset into a line and column when one is needed.
 */
export class SourceText {
  readonly file: string;
  readonly text: string;
  /** Offset at which each line starts; lineStarts[0] is line 1. */
  private readonly lineStarts: number[];
  /** Whether any character needs two UTF-16 units; if not, a column is a subtraction. */
  private readonly hasSurrogates: boolean;

  constructor(file: string, text: string) {
    this.file = file;
    this.text = text;
    this.lineStarts = [0];
    // Only '\n' starts a line, as in nats-server: a lone '\r' ends values but
    // does not count as a new line.
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) {
      this.lineStarts.push(i + 1);
    }
    this.hasSurrogates = /[\ud800-\udfff]/.test(text);
  }

  position(offset: number): ConfigPosition {
    // Binary search for the last line starting at or before offset.
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    const lineStart = this.lineStarts[lo];
    if (!this.hasSurrogates) return { file: this.file, line: lo + 1, col: offset - lineStart + 1 };
    // Columns count characters (code points), not UTF-16 units or bytes, so an
    // editor's column matches.
    let col = 1;
    for (let i = lineStart; i < offset && i < this.text.length; i++) {
      const c = this.text.charCodeAt(i);
      const isHighSurrogate = c >= 0xd800 && c <= 0xdbff;
      if (isHighSurrogate && i + 1 < offset) {
        const d = this.text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
      col++;
    }
    return { file: this.file, line: lo + 1, col };
  }

  error(offset: number, reason: string): ConfigError {
    const p = this.position(offset);
    return new ConfigError(p.file, p.line, p.col, reason);
  }
}
