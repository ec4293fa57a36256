export function truthy(value: unknown): boolean {
  return Boolean(value)
}
