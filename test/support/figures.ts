/**
 * Figures of the full reliability run. Each test file records its rows; the run's global teardown
 * (test/reliability/summary.setup.ts) prints them as one table and keeps them in .reliability/last-run.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface FigureRow {
  /** Scenario, e.g. "soak echo". */
  scenario: string;
  /** Column → value, e.g. { clients: 1000, lost: 0 }. */
  figures: Record<string, string | number | boolean>;
}

/** Records rows when run under the reliability config; a no-op elsewhere. */
export function recordFigures(file: string, rows: FigureRow[]): void {
  const dir = process.env.WSE_RELIABILITY_OUT;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${file}.json`), JSON.stringify(rows, null, 2));
}
