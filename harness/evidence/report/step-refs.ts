/**
 * Repro placeholders as the report shows them. The evidence names the step whose response carried
 * an id as `{stepN.path}`, N 0-based like `concurrentWith` (harness/run/build-evidence.ts); the
 * report numbers steps from 1, so it shows `{path from step N+1}`, the number on that step's arrow.
 * The evidence itself is unchanged.
 */
const STEP_REF = /\{step(\d+)\.([^{}]*)\}/g;

export function showStepRefs(text: string, stepCount: number): string {
  return text.replace(STEP_REF, (_, n: string, path: string) => {
    const i = Number(n);
    return i < stepCount ? `{${path} from step ${i + 1}}` : `{${path} from a response not in this repro}`;
  });
}
