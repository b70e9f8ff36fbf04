import type { SourceText } from "./source.js";

/**
 * How deeply maps, arrays and `{ }` blocks may nest, counted across includes
 * and environment-variable values parsed in the middle of a file. Both the
 * lexer and the parser recurse per level, so the cap turns absurd input into
 * a ConfigError instead of a stack overflow.
 */
export const MAX_NESTING = 500;

export class NestingBudget {
  private depth = 0;

  enter(source: SourceText, offset: number, what: string): void {
    if (++this.depth > MAX_NESTING) {
      this.depth--;
      throw source.error(offset, `${what} nested more than ${MAX_NESTING} levels deep`);
    }
  }

  leave(): void {
    this.depth--;
  }
}
