/**
 * A small progress bar for the CLI, on stderr so stdout stays for results. On a terminal it redraws one line
 * (at most 10 times a second); otherwise (CI logs, pipes) it prints a line at every 10% step.
 */
export class ProgressBar {
  private lastDraw = 0;
  private lastStep = -1;
  private drawn = false;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly width = 30,
  ) {}

  update(fraction: number, message = ''): void {
    const f = Math.min(1, Math.max(0, fraction));
    const percent = Math.floor(f * 100);
    if (this.stream.isTTY) {
      const now = Date.now();
      if (now - this.lastDraw < 100 && f < 1) return;
      this.lastDraw = now;
      const filled = Math.round(f * this.width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(this.width - filled)}`;
      const columns = this.stream.columns ?? 80;
      const line = `${this.label} ${bar} ${String(percent).padStart(3)}% ${message}`.slice(0, columns - 1);
      this.stream.write(`\r\x1b[2K${line}`);
      this.drawn = true;
      return;
    }
    const step = Math.floor(percent / 10);
    if (step === this.lastStep) return;
    this.lastStep = step;
    this.stream.write(`${this.label} ${percent}%${message ? ` ${message}` : ''}\n`);
  }

  /** Ends the bar's line. */
  finish(): void {
    if (this.stream.isTTY && this.drawn) this.stream.write('\n');
  }
}
