/**
 * Logging to the client's output channel (window/logMessage) with a level, so that users can send us what went
 * wrong. The server never writes to stdout: with the stdio transport that would corrupt the protocol stream.
 */
import type { RemoteConsole } from 'vscode-languageserver/node';

export class Logger {
  constructor(private readonly console: RemoteConsole) {}

  error(message: string, error?: unknown): void {
    this.console.error(error === undefined ? message : `${message}: ${describe(error)}`);
  }

  warn(message: string): void {
    this.console.warn(message);
  }

  info(message: string): void {
    this.console.info(message);
  }

  /**
   * Runs one unit of work (one file, one event) and logs instead of throwing, so that a bug triggered by one bad
   * file cannot stop the server or the rest of the batch.
   */
  guard(what: string, work: () => void): void {
    try {
      work();
    } catch (e) {
      this.error(what, e);
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? error.message;
  return String(error);
}
