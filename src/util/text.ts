/** Text from users' files, made safe and short for one-line error messages. */

/** `text` with control characters escaped, cut to about `max` characters (saying how long it was). */
export function printable(text: string, max = 80): string {
  let out = '';
  for (const ch of text) {
    // Escaping first and cutting after, so that a run of control bytes is cut too.
    const escaped = JSON.stringify(ch).slice(1, -1);
    if (out.length + escaped.length > max) return `${out}… (${text.length} characters)`;
    out += escaped;
  }
  return out;
}

/** `text` in double quotes for an error message; the same as JSON.stringify for short text. */
export function quoted(text: string, max = 80): string {
  return `"${printable(text, max)}"`;
}

/** Any JSON value as it would be written, cut to about `max` characters. */
export function shown(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return typeof value === 'string' ? quoted(text, max) : printable(text, max);
}

/** JSON.parse's complaint, which quotes the text around the fault (newlines included), as one short line. */
export function jsonProblem(err: unknown): string {
  return printable(err instanceof Error ? err.message : String(err), 160);
}
