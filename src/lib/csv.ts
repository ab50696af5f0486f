// CSV (RFC 4180: quoted fields, doubled quotes, CRLF or LF), read and
// written. Every problem names its line; a written field never starts a
// spreadsheet formula.
/** A problem with the text, naming its line (the same shape as an HTTP field error). */
export interface CsvProblem {
  field: string;
  message: string;
}

export interface CsvRecord {
  /** The line the record starts on, 1-based, as a spreadsheet shows it. */
  line: number;
  fields: string[];
}

/** Splits CSV text into records; a stray quote is reported with its line. */
export function parseCsv(text: string): { records: CsvRecord[]; error?: CsvProblem } {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let fieldStarted = false;
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0]!.trim() === '')) records.push({ line: start, fields });
    fields = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
        const next = body[i + 1];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          return { records, error: { field: `body.line.${line}`, message: `line ${line}: text after a closing quote` } };
        }
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      fieldStarted = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && body[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) return { records, error: { field: `body.line.${start}`, message: `line ${start}: a quoted field is never closed` } };
  if (field !== '' || fields.length > 0) endRecord();
  return { records };
}

/** One CSV field: quoted when it must be, and a leading = + - @ defused so a spreadsheet shows text, not a formula. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
