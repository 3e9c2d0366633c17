/**
 * Reader for the repo's own reference tables: comma-separated, header row, no quoting, `#` comments.
 * Vendor files go through fast-csv instead; these tables are written by us and kept this simple.
 */
export interface SimpleCsvRow {
  readonly line: number;
  readonly fields: Readonly<Record<string, string>>;
}

export const parseSimpleCsv = (text: string, origin: string): SimpleCsvRow[] => {
  const lines = text.split(/\r?\n/);
  let header: string[] | undefined;
  const rows: SimpleCsvRow[] = [];
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    if (line.includes('"')) throw new Error(`${origin}:${index + 1}: quoted fields are not supported here`);
    const cells = line.split(",").map((c) => c.trim());
    if (header === undefined) {
      header = cells;
      return;
    }
    if (cells.length !== header.length) {
      throw new Error(`${origin}:${index + 1}: expected ${header.length} columns, found ${cells.length}`);
    }
    const fields: Record<string, string> = {};
    header.forEach((h, i) => {
      fields[h] = cells[i] ?? "";
    });
    rows.push({ line: index + 1, fields });
  });
  return rows;
};
