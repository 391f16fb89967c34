/**
 * A class constructor as decorators see it. In a file of its own so that src/ modules which
 * metadata.ts refers to (for option types) can name it without an import cycle.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EndpointClass<T = any> = new (...args: any[]) => T;
