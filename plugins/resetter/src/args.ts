/**
 * Decodes a JSON argument that must be a string, with the wording of Go's encoding/json so PHP code
 * and users see what RoadRunner would say.
 */
export function stringArg(method: string, arg: unknown): string {
  if (typeof arg === 'string') return arg;
  const kind = arg === undefined ? 'nothing' : arg === null ? 'null' : Array.isArray(arg) ? 'array' : typeof arg === 'object' ? 'object' : typeof arg;
  throw new Error(`${method}: json: cannot unmarshal ${kind} into Go value of type string (pass the plugin name as a JSON string, e.g. "http")`);
}
