/** RFC 4180 record splitting: quoted fields (with "" escapes and embedded newlines), CRLF or LF endings. */

export interface CsvRecord {
  /** 1-based line on which the record starts. */
  line: number;
  fields: string[];
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** Split `text` into records; `name` labels error messages; `firstLine` is the line `text` starts on (a later chunk of a streamed file). */
export function* csvRecords(text: string, delimiter: string, name: string, firstLine = 1): Generator<CsvRecord> {
  const delim = delimiter.charCodeAt(0);
  const cursor = { i: firstLine === 1 && text.charCodeAt(0) === 0xfeff ? 1 : 0, line: firstLine };
  while (cursor.i < text.length) {
    const line = cursor.line;
    const fields: string[] = [];
    for (;;) {
      fields.push(readField(text, delim, cursor, name));
      if (text.charCodeAt(cursor.i) !== delim) break;
      cursor.i++;
    }
    if (text.charCodeAt(cursor.i) === CR) cursor.i++;
    if (text.charCodeAt(cursor.i) === LF) cursor.i++;
    cursor.line++;
    yield { line, fields };
  }
}

function readField(text: string, delim: number, cursor: { i: number; line: number }, name: string): string {
  let i = cursor.i;
  if (text.charCodeAt(i) !== QUOTE) {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === delim || c === LF || c === CR) break;
      i++;
    }
    const field = text.slice(cursor.i, i);
    cursor.i = i;
    return field;
  }
  const startLine = cursor.line;
  let field = '';
  let from = ++i;
  for (;;) {
    if (i >= text.length) throw new Error(`${name}:${startLine}: quoted field is never closed`);
    const c = text.charCodeAt(i);
    if (c === LF) cursor.line++;
    if (c === QUOTE) {
      field += text.slice(from, i);
      // "" inside quotes is one literal quote.
      if (text.charCodeAt(i + 1) !== QUOTE) break;
      field += '"';
      i += 2;
      from = i;
      continue;
    }
    i++;
  }
  i++;
  const next = text.charCodeAt(i);
  if (i < text.length && next !== delim && next !== LF && next !== CR) {
    throw new Error(`${name}:${cursor.line}: unexpected ${JSON.stringify(text[i])} after a closing quote`);
  }
  cursor.i = i;
  return field;
}
