import { DecodeError } from "../errors.js";
import { isThenable } from "../util/thenable.js";
import type { Decoder, DecoderClass } from "./coders.js";
import { DecodeReasons } from "./decode-reasons.js";
import type { PayloadBinding } from "./payload.js";

/** A constructed decoder with its class. */
export interface DecoderEntry {
  readonly type: DecoderClass;
  readonly instance: Decoder.Text<unknown> | Decoder.Binary<unknown>;
}

type Input = string | Buffer;
type Step = { readonly name: string; readonly will: ((x: Input) => boolean) | null; readonly decode: (x: Input) => unknown };

/**
 * The binding of a class that has decoders: the first decoder (endpoint ones first, in declaration order)
 * whose `willDecode` accepts the message decodes it, as in JSR 356. Returns a sentence when the decoders
 * disagree on text versus binary.
 */
export function decoderBinding(target: { readonly name: string }, entries: readonly DecoderEntry[]): PayloadBinding {
  const text = entries.filter((e) => e.type.binary !== true);
  const binary = entries.filter((e) => e.type.binary === true);
  if (text.length > 0 && binary.length > 0) return Object.freeze({ ...oneKind(target, text, false), also: oneKind(target, binary, true) });
  return oneKind(target, entries, binary.length > 0);
}

function oneKind(target: { readonly name: string }, entries: readonly DecoderEntry[], binary: boolean): PayloadBinding {
  const steps: Step[] = entries.map((e) => {
    const d = e.instance as { willDecode?: (x: Input) => boolean; decode: (x: Input) => unknown };
    return { name: e.type.name, will: typeof d.willDecode === "function" ? d.willDecode.bind(d) : null, decode: d.decode.bind(d) };
  });
  const input: (data: Buffer) => Input = binary ? (data) => data : (data) => data.toString("utf8");
  const catchAll = steps.some((s) => s.will === null);
  const names = steps.map((s) => s.name).join(", ");

  const decode = (data: Buffer): unknown => {
    const x = input(data);
    for (const step of steps) {
      if (step.will !== null && !accepts(step, x, data)) continue;
      let result: unknown;
      try {
        result = step.decode(x);
      } catch (error) {
        throw failed(step.name, data, error);
      }
      if (isThenable(result)) {
        return Promise.resolve(result).catch((error: unknown) => {
          throw failed(step.name, data, error);
        });
      }
      return result;
    }
    throw new DecodeError(DecodeReasons.NO_DECODER, `No decoder accepted the message (tried ${names}).`, data, {
      errors: [{ path: "", constraints: { willDecode: `no decoder of ${target.name} accepts this message` } }],
    });
  };
  const willDecode = catchAll
    ? undefined
    : (data: Buffer): boolean => {
        const x = input(data);
        return steps.some((s) => accepts(s, x, data));
      };
  return Object.freeze({ kind: binary ? ("binary" as const) : ("text" as const), decode, willDecode, source: names });
}

function accepts(step: Step, x: Input, data: Buffer): boolean {
  try {
    return step.will!(x) === true;
  } catch (error) {
    throw failed(step.name, data, error);
  }
}

function failed(decoder: string, data: Buffer, error: unknown): DecodeError {
  if (error instanceof DecodeError) return error;
  return new DecodeError(DecodeReasons.DECODE_FAILED, `${decoder} could not decode the message: ${(error as Error)?.message ?? String(error)}`, data, {
    cause: error,
    decoder,
    errors: [{ path: "", constraints: { decode: `${decoder} could not decode the message` } }],
  });
}
