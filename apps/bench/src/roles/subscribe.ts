/** The SUB line a role subscribes with (sid 1: each role has one subscription). */
export function subscribeLine(subject: string, queue?: string): string {
  return queue === undefined ? `SUB ${subject} 1\r\n` : `SUB ${subject} ${queue} 1\r\n`;
}
