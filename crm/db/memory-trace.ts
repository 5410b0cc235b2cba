/**
 * A diagnostic for `bench/crm-memory.ts`, off unless CRM_MEMORY_TRACE=<interval ms> is set: every
 * interval the process writes one line `memory-trace {json}` to stderr with Node's own figures
 * (`process.memoryUsage()`) and whatever the backend adds (the PGlite WASM heap, the size of an
 * in-memory data directory), all in MB. It is how the benchmark tells where a peak comes from.
 */
export type MemoryProbe = () => Record<string, number>;

const MB = 1024 * 1024;

export function memoryTraceInterval(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = Number(env['CRM_MEMORY_TRACE']);
  return Number.isFinite(value) && value > 0 ? Math.max(10, value) : undefined;
}

/** Starts the trace when CRM_MEMORY_TRACE asks for it; returns the function that stops it. */
export function startMemoryTrace(probe: MemoryProbe, env: NodeJS.ProcessEnv = process.env): () => void {
  const interval = memoryTraceInterval(env);
  if (interval === undefined) return () => {};
  const write = () => {
    const usage = process.memoryUsage();
    const figures: Record<string, number> = {
      rssMB: usage.rss / MB,
      heapUsedMB: usage.heapUsed / MB,
      heapTotalMB: usage.heapTotal / MB,
      externalMB: usage.external / MB,
      arrayBuffersMB: usage.arrayBuffers / MB,
    };
    try {
      for (const [name, bytes] of Object.entries(probe())) figures[`${name}MB`] = bytes / MB;
    } catch {
      // the backend is closing: Node's figures alone
    }
    const rounded = Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, Math.round(v * 10) / 10]));
    process.stderr.write(`memory-trace ${JSON.stringify(rounded)}\n`);
  };
  const timer = setInterval(write, interval);
  timer.unref();
  write();
  return () => clearInterval(timer);
}
