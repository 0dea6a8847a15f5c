// Task ids are opaque upstream text, but bounded before they reach a URL or a custom_id.
const TASK_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function isValidTaskId(id: string): boolean {
  return TASK_ID.test(id);
}
