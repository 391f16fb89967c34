/** Global setup of `npm run test:reliability`: clears old figures, prints the table at the end. */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FigureRow } from "../support/figures.js";

const DIR = process.env.WSE_RELIABILITY_OUT ?? ".reliability/rows";

export default function setup(): () => void {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const started = new Date();
  return () => {
    const rows: FigureRow[] = [];
    if (existsSync(DIR)) {
      for (const f of readdirSync(DIR).sort()) if (f.endsWith(".json")) rows.push(...(JSON.parse(readFileSync(join(DIR, f), "utf8")) as FigureRow[]));
    }
    const lines = ["", `Reliability summary (${started.toISOString()}, node ${process.version}, ${rows.length} scenarios)`];
    for (const r of rows) {
      lines.push(`  ${r.scenario.padEnd(34)} ${Object.entries(r.figures).map(([k, v]) => `${k}=${v}`).join("  ")}`);
    }
    process.stdout.write(lines.join("\n") + "\n\n");
    writeFileSync(join(DIR, "..", "last-run.json"), JSON.stringify({ started: started.toISOString(), node: process.version, rows }, null, 2));
  };
}
