// Which shard owns a task: a stable hash of the task id, so every process agrees without talking.

/** FNV-1a, 32-bit: cheap, stable across processes and Node versions. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function taskShard(taskId: string, shardCount: number): number {
  return shardCount <= 1 ? 0 : hash(taskId) % shardCount;
}
