/**
 * A fast-check plugin that ends a property's runs, without an exception, once `shouldStop` says so:
 * the next run is reported as an interruption (not a failure), and `fc.check` returns.
 */
import fc from 'fast-check';

export function stopWhen(shouldStop: () => boolean): fc.Plugin<unknown> {
  return () => ({
    decorateRun: (nestedRun) => (value) => (shouldStop() ? new fc.PreconditionFailure(true) : nestedRun(value)),
  });
}
