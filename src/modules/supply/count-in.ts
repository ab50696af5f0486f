// The one rule for counting in stock sent between two places (hub to hub,
// store to store): every line sent is counted once (0 when none came), none
// counted above what was sent, nothing counted that was not sent. Pure.

export interface SentLine {
  itemId: string;
  quantity: number;
  received?: number | undefined;
}

export function countIn<T extends SentLine>(sent: readonly T[], counted: readonly { itemId: string; received: number }[]): { lines: T[]; errors: { field: string; message: string }[] } {
  const errors: { field: string; message: string }[] = [];
  const seen = new Set<string>();
  const lines = sent.map((l) => ({ ...l }));
  counted.forEach((c, i) => {
    const line = lines.find((l) => l.itemId === c.itemId);
    if (!line || seen.has(c.itemId)) return void errors.push({ field: `body.lines.${i}.itemId`, message: line ? `${c.itemId} is counted twice` : `${c.itemId} was not sent` });
    seen.add(c.itemId);
    if (c.received > line.quantity) return void errors.push({ field: `body.lines.${i}.received`, message: `${line.quantity} were sent; ${c.received} is more` });
    line.received = c.received;
  });
  for (const l of lines) if (!seen.has(l.itemId)) errors.push({ field: 'body.lines', message: `${l.itemId} was sent; count it (0 when none came)` });
  return { lines, errors };
}

/** What came of a count, as ledger movements into the receiving place. */
export const arrivals = (lines: readonly SentLine[]) => lines.filter((l) => (l.received ?? 0) > 0).map((l) => ({ itemId: l.itemId, type: 'transfer_in' as const, quantity: l.received! }));

/** The lines of a transfer, checked: each a catalog item, each once. */
export function lineProblems(lines: readonly { itemId: string }[], known: ReadonlySet<string>): { field: string; message: string }[] {
  const errors = lines.flatMap((l, i) => (known.has(l.itemId) ? [] : [{ field: `body.lines.${i}.itemId`, message: `${l.itemId} is not in the catalog` }]));
  if (new Set(lines.map((l) => l.itemId)).size !== lines.length) errors.push({ field: 'body.lines', message: 'each item once' });
  return errors;
}
