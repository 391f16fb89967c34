/** A mistake in how the command was invoked: the message is printed with a hint, exit code 2. */
export class CliUsageError extends Error {
  override readonly name = "CliUsageError";
}
