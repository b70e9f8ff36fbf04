/**
 * Accumulates a string whose escapes may include raw bytes (`\xHH`).
 * nats-server builds strings from bytes, so "\xc3\xa9" is "é": consecutive
 * byte escapes are collected and decoded as UTF-8 together (invalid
 * sequences become U+FFFD).
 */
export class TextBuilder {
  private readonly parts: string[] = [];
  private bytes: number[] = [];
  private static readonly utf8 = new TextDecoder("utf-8", { fatal: false });

  addText(s: string): void {
    // An empty piece between two byte escapes must not split a UTF-8 sequence.
    if (s.length === 0) return;
    this.flushBytes();
    this.parts.push(s);
  }

  addByte(b: number): void {
    this.bytes.push(b);
  }

  toString(): string {
    this.flushBytes();
    return this.parts.join("");
  }

  private flushBytes(): void {
    if (this.bytes.length === 0) return;
    this.parts.push(TextBuilder.utf8.decode(Uint8Array.from(this.bytes)));
    this.bytes = [];
  }
}
