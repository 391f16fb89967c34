/**
 * TypeScript 5+ compiles decorators as standard (TC39) decorators unless `experimentalDecorators` is on.
 * Those are called with `(value, context)`, where the legacy ones this package implements get a
 * prototype and a property key: without this check the class would load with no handler recorded and
 * every connection would be refused message by message (1003), far from the cause.
 */
export function refuseStandardDecorator(decorator: string, context: unknown): void {
  if (typeof context !== "object" || context === null || !("kind" in context)) return;
  throw new TypeError(
    `ws-endpoints: ${decorator} was applied as a standard (TC39) decorator, but ws-endpoints needs TypeScript's ` +
      'legacy decorators. Set "experimentalDecorators": true and "emitDecoratorMetadata": true in the ' +
      "tsconfig.json that compiles this file (under vitest: the file must be in that tsconfig's \"include\").",
  );
}
