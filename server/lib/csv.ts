import { escapeForLog } from '../deps';

/**
 * RFC 4180 CSV: CRLF line ends, fields quoted when they hold a comma, quote,
 * or line break, quotes doubled. Text cells hold what others typed or sent (a
 * leak report's URL, a user agent), so control and bidi characters are shown
 * as escapes (`\u001b`, `\u202e`) rather than hiding or reordering text (a tab or
 * line break stays: a quoted cell holds it, and it cannot start a row), and a
 * cell a spreadsheet would run as a formula (= + - @, tab, CR, or their
 * full-width forms) gets a leading apostrophe (OWASP CSV injection).
 */
export type CsvValue = string | number | Date | null | undefined;

const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return String(value);
  const shown = value.replace(/[^\t\n\r]+/g, escapeForLog);
  const text = FORMULA_START.test(value) ? `'${shown}` : shown;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (values: CsvValue[]) => `${values.map(csvField).join(',')}\r\n`;

/** A CSV column: its header and how to read it from a row. */
export type CsvColumn<T> = [header: string, get: (row: T) => CsvValue];

const ROWS_PER_CHUNK = 100;

/** Streams a header row then one line per row, pulling rows only as the client reads. */
export function csvStream<T>(columns: CsvColumn<T>[], rows: AsyncIterable<T>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = rows[Symbol.asyncIterator]();
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvLine(columns.map(([header]) => header))));
        return;
      }
      // Rows are batched so a large export is a few hundred socket writes, not one per row.
      let chunk = '';
      for (let i = 0; i < ROWS_PER_CHUNK; i++) {
        const next = await iterator.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        chunk += csvLine(columns.map(([, get]) => get(next.value)));
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
