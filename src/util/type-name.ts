/** A readable name for a declared (emitDecoratorMetadata) type, for definition problems. */
export function typeName(type: unknown): string {
  if (type === undefined) return "unknown";
  if (type === Object) return "Object (an interface, union or any)";
  if (typeof type === "function") return type.name || "anonymous class";
  return String(type);
}
