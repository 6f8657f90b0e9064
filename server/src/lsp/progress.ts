/**
 * Long work without blocking the connection: a time slicer that yields to the event loop so requests (and the
 * shutdown) are served during a workspace scan, and a progress report that only appears when the work is slow.
 */
import type { WorkDoneProgressServerReporter } from 'vscode-languageserver/node';

/** Yields to the event loop once the current slice has run for `sliceMs`. */
export class TimeSlicer {
  private sliceStart = performance.now();

  constructor(private readonly sliceMs = 20) {}

  async pause(): Promise<void> {
    if (performance.now() - this.sliceStart < this.sliceMs) return;
    // setImmediate runs after pending I/O, so messages that arrived meanwhile are read before the work continues.
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.sliceStart = performance.now();
  }
}

/**
 * A work-done progress that is only created once the work has taken longer than `delayMs`: a progress bar that
 * flashes for a few milliseconds on every small workspace would be noise.
 */
export class DelayedProgress {
  private readonly startedAt = performance.now();
  private lastReport = 0;
  private reporter: Promise<WorkDoneProgressServerReporter | undefined> | undefined;

  constructor(
    private readonly create: () => Promise<WorkDoneProgressServerReporter>,
    private readonly title: string,
    private readonly delayMs = 1000,
  ) {}

  report(message: string, percentage?: number): void {
    if (this.reporter === undefined) {
      if (performance.now() - this.startedAt < this.delayMs) return;
      // A client that refuses the progress token only loses the progress bar, never the scan.
      this.reporter = this.create().then(
        (r) => {
          r.begin(this.title, percentage, message);
          return r;
        },
        () => undefined,
      );
      return;
    }
    // Reports are rate-limited: one per file would flood the client with notifications in a large workspace.
    const now = performance.now();
    if (now - this.lastReport < 100) return;
    this.lastReport = now;
    void this.reporter.then((r) => (percentage === undefined ? r?.report(message) : r?.report(percentage, message)));
  }

  done(): void {
    void this.reporter?.then((r) => r?.done());
  }
}
