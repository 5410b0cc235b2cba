/**
 * The one catalogue of process exit codes. Every command returns one of these; `--help` texts and
 * the README's table are rendered from this module (a test checks the README against it).
 */
export const EXIT = {
  /** The run reached a clean verdict (with coverage at or above the gate), or a command succeeded. */
  clean: 0,
  /** A confirmed isolation leak (run, merge, replay), or verification failed (verify). */
  leak: 1,
  /** A usage or configuration error: bad flags, a bad config file, an unusable spec. */
  usage: 2,
  /** The target is unusable, or the result is inconclusive. */
  inconclusive: 3,
  /** An internal error of tenantproof itself. */
  internal: 4,
  /** Interrupted by SIGINT (Ctrl-C); the evidence for what ran is still written. */
  sigint: 130,
  /** Interrupted by SIGTERM; the evidence for what ran is still written. */
  sigterm: 143,
} as const;

export type ExitName = keyof typeof EXIT;
export type ExitCode = (typeof EXIT)[ExitName];

export type CommandName =
  | 'run'
  | 'replay'
  | 'verify'
  | 'merge'
  | 'report'
  | 'inspect'
  | 'export-test'
  | 'export'
  | 'ledger'
  | 'keys'
  | 'pack'
  | 'init'
  | 'doctor';

/** What each code means for each command. Codes a command never returns are absent. */
export const EXIT_MEANINGS: Readonly<Record<CommandName, ReadonlyArray<readonly [ExitCode, string]>>> = {
  run: [
    [EXIT.clean, 'clean: no isolation leak found, with coverage at or above --min-coverage'],
    [EXIT.leak, 'leak: at least one confirmed finding'],
    [EXIT.usage, 'usage or configuration error'],
    [
      EXIT.inconclusive,
      'target unusable, or inconclusive (only unconfirmed findings, coverage below --min-coverage, most answers throttled or unusable, or the negative control failed); the reason is printed',
    ],
    [EXIT.internal, 'internal error of tenantproof (what ran is still sealed, with the stack in internal-error.log)'],
    [EXIT.sigint, 'interrupted by SIGINT (the evidence for what ran is still written)'],
    [EXIT.sigterm, 'interrupted by SIGTERM (the evidence for what ran is still written)'],
  ],
  merge: [
    [EXIT.clean, 'clean: no shard found a leak'],
    [EXIT.leak, 'leak found in some shard'],
    [EXIT.usage, 'usage error, or the merge was refused'],
    [EXIT.inconclusive, 'inconclusive (a negative control did not pass, or a shard reached no verdict)'],
    [EXIT.internal, 'internal error of tenantproof'],
  ],
  replay: [
    [EXIT.clean, 'the finding did not reproduce'],
    [EXIT.leak, 'the finding reproduced'],
    [EXIT.usage, 'usage error'],
    [EXIT.inconclusive, 'target unusable'],
    [EXIT.internal, 'internal error of tenantproof'],
  ],
  verify: [
    [EXIT.clean, 'verified (integrity; origin too when the key is pinned)'],
    [
      EXIT.leak,
      'verification failed, or the key is not pinned under --require-pinned, or bytes follow the last seal without --allow-partial, or the run was assessed longer ago than --max-age',
    ],
    [EXIT.usage, 'usage error'],
    [EXIT.internal, 'internal error of tenantproof'],
  ],
  report: [
    [EXIT.clean, 'report written'],
    [EXIT.usage, 'usage error, or a sealed folder without --out'],
    [EXIT.inconclusive, '--pdf asked for but Chromium is unavailable (the HTML is still written)'],
    [EXIT.internal, 'internal error of tenantproof'],
  ],
  init: [
    [EXIT.clean, 'config and provisioning written, and the smoke check passed (or was skipped with --no-check)'],
    [EXIT.usage, 'usage error, no spec found or an unusable spec, or a file in the way without --force'],
    [
      EXIT.inconclusive,
      'the files were written, but the smoke check failed (each failure is printed with its fix) or the target is unreachable',
    ],
    [EXIT.internal, 'internal error of tenantproof'],
  ],
  doctor: [
    [EXIT.clean, 'every tenant-owned operation can be created, read and probed, and provisioning works'],
    [EXIT.leak, 'something blocks a full campaign: the table says what, with the fix for each'],
    [EXIT.usage, 'usage error, or an unusable config or spec'],
    [EXIT.inconclusive, 'the target is unreachable, or provisioning failed (the fix is printed)'],
    [EXIT.internal, 'internal error of tenantproof'],
  ],
  inspect: [
    [EXIT.clean, 'ok'],
    [EXIT.usage, 'bad flags, or an unusable spec (malformed, dangling $ref, not OpenAPI)'],
    [EXIT.internal, 'internal error of tenantproof'],
  ],
  'export-test': [
    [EXIT.clean, 'test files written (or already there, identical)'],
    [
      EXIT.usage,
      'usage error, or refused: no run folder, a folder that does not verify or has no counterexamples, --out inside a sealed run folder, or a different file in the way without --force',
    ],
    [EXIT.internal, 'internal error of tenantproof'],
  ],
  export: [
    [EXIT.clean, 'document written (validated against the official schema)'],
    [
      EXIT.usage,
      'usage error, or refused: not a run folder, a folder that does not verify (or is a checkpoint of an unfinished run), --out inside a sealed folder',
    ],
    [EXIT.internal, 'internal error of tenantproof, e.g. its own document does not validate (nothing is written)'],
  ],
  ledger: [
    [EXIT.clean, 'done: runs added, the ledger verified, the report written, the key rotated'],
    [
      EXIT.leak,
      'the ledger does not verify (verify names the entry; add, report and rotate refuse to touch it), or under verify: not pinned with --require-pinned, or the --head entry is gone',
    ],
    [
      EXIT.usage,
      'usage error, or refused: a run folder that does not verify, signed by another key, or already in the ledger (nothing is added); no signing key',
    ],
    [EXIT.internal, 'internal error of tenantproof'],
  ],
  keys: [
    [EXIT.clean, 'key pair written'],
    [EXIT.usage, 'usage error, or a key file is already there (without --force)'],
    [EXIT.internal, 'internal error of tenantproof'],
  ],
  pack: [
    [EXIT.clean, 'pack written'],
    [
      EXIT.usage,
      'usage error, or refused: a run folder or ledger that does not verify, keys that do not match, --out not empty or inside a sealed folder',
    ],
    [EXIT.inconclusive, 'the pack was written, but Chromium is unavailable so summary.pdf is missing'],
    [EXIT.internal, 'internal error of tenantproof'],
  ],
};

/** The `Exit codes:` block of a command's `--help`. */
export function exitCodesHelp(command: CommandName): string {
  return [
    'Exit codes:',
    ...EXIT_MEANINGS[command].map(([code, meaning]) => `  ${String(code).padStart(3)}  ${meaning}`),
  ].join('\n');
}

/** The exit code of a run's verdict. */
export function exitCodeForVerdict(verdict: 'clean' | 'leak' | 'inconclusive'): ExitCode {
  return verdict === 'leak' ? EXIT.leak : verdict === 'inconclusive' ? EXIT.inconclusive : EXIT.clean;
}

/** The exit code of a run stopped by a signal. */
export function exitCodeForSignal(signal: 'SIGINT' | 'SIGTERM'): ExitCode {
  return signal === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
}
