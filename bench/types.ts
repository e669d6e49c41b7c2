/** One line of the benchmark table. */
export interface BenchResult {
  /** Which benchmark file produced it, e.g. "ingest". */
  suite: string;
  /** What was measured, e.g. "embedded end to end". */
  name: string;
  value: number;
  unit: string;
  /** value / baseline, where a same-run baseline exists. */
  ratio?: number;
  /** What the ratio is against, e.g. "reference client (ws + JSON.parse)". */
  baseline?: string;
  /** The goal, as text (e.g. ">= 0.5x"), and whether this run met it. */
  goal?: string;
  met?: boolean;
}

export interface BenchContext {
  /** A fresh temp folder for this suite, removed afterwards. */
  tmp: string;
  /** BENCH_QUICK=1 shortens runs (for smoke checks); the reported figures come from full runs. */
  quick: boolean;
  log(message: string): void;
}
