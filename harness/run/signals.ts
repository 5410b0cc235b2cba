/**
 * SIGINT and SIGTERM during a run: the first aborts the campaign, which then finishes the evidence
 * for what ran; a second quits at once (the transcript is complete up to there, and the last
 * checkpoint seal stands).
 */
import { exitCodeForSignal } from '../exit-codes.ts';

export class SignalGuard {
  readonly controller = new AbortController();
  signalled: 'SIGINT' | 'SIGTERM' | undefined;
  private readonly onSignal = (sig: NodeJS.Signals): void => {
    const which = sig === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
    if (this.signalled) {
      process.stderr.write(
        '\ntenantproof: second signal, exiting now; the transcript is complete up to here, and the last checkpoint is sealed.\n',
      );
      process.exit(exitCodeForSignal(which));
    }
    this.signalled = which;
    process.stderr.write(
      `\ntenantproof: ${sig} received; finishing the evidence for what ran (again to quit at once).\n`,
    );
    this.controller.abort();
  };

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  install(): this {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
    return this;
  }

  uninstall(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}
