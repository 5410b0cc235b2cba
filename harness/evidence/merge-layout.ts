/** Where a merged folder keeps the run folders it merged: each, as sealed, under `shards/<runId>/`. */
export const SHARDS_DIR = 'shards';

export function shardDirName(runId: string): string {
  return `${SHARDS_DIR}/${runId}`;
}
