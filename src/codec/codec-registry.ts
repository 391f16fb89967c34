import type { DependencyContainer } from "tsyringe";
import type { EndpointOptions } from "../../decorators/metadata.js";
import type { DefinitionProblem } from "../errors.js";
import { prepareInjection } from "../di/injection.js";
import type { ObjectEncoder } from "./coders.js";
import { endpointCodecOptions, mergeCodecSettings, type CodecOptions, type EndpointCodecSettings, type RoutingSettings } from "./codec-options.js";
import { decoderBinding, type DecoderEntry } from "./decoder-binding.js";
import { dtoBinding, hasValidationRules } from "./dto.js";
import type { InvalidMessageSettings } from "./invalid-message.js";
import { objectEncoder, type EncoderEntry } from "./object-encoder.js";
import type { PayloadBinding } from "./payload.js";

type CoderClass = EncoderEntry["type"] | DecoderEntry["type"];

interface EndpointCodecs {
  readonly settings: EndpointCodecSettings;
  readonly bindings: Map<unknown, PayloadBinding | string>;
  encode: ObjectEncoder | undefined;
}

/** The codec hooks compilation calls per endpoint; `endpoint/compiled.ts:CompileSettings` takes them. */
export interface CodecHooks {
  /** Binding for a payload class (DTO), or a sentence saying why there is none. */
  readonly payloadFor: (type: unknown, endpoint: Readonly<EndpointOptions>) => PayloadBinding | string;
  /** Object encoder of an endpoint. */
  readonly encoderFor: (endpoint: Readonly<EndpointOptions>) => ObjectEncoder;
  /** Envelope fields and invalid-message policy of an endpoint. */
  readonly routingFor: (endpoint: Readonly<EndpointOptions>) => RoutingSettings & InvalidMessageSettings;
}

/**
 * Everything codec-related that compilation needs, built once per server: merged settings per endpoint,
 * one tsyringe-constructed instance per coder class, payload bindings per (endpoint, type). Construction
 * and declaration problems go to `problems`, so bootstrap reports them with the rest.
 */
export function codecCompileSettings(
  global: CodecOptions | undefined,
  container: DependencyContainer,
  problems: DefinitionProblem[],
): CodecHooks {
  const perEndpoint = new WeakMap<object, EndpointCodecs>();
  const instances = new Map<CoderClass, object | string>();

  const codecsOf = (options: Readonly<EndpointOptions>): EndpointCodecs => {
    let c = perEndpoint.get(options);
    if (c === undefined) {
      c = { settings: mergeCodecSettings(global, endpointCodecOptions(options)), bindings: new Map(), encode: undefined };
      perEndpoint.set(options, c);
    }
    return c;
  };

  const instance = (type: CoderClass): object | string => {
    let made = instances.get(type);
    if (made === undefined) {
      const before = problems.length;
      prepareInjection([type], problems);
      try {
        made = problems.length > before ? `${type.name} cannot be constructed (see above).` : (container.resolve(type as never) as object);
      } catch (error) {
        made = `${type.name} could not be constructed by the container: ${(error as Error)?.message ?? String(error)}`;
      }
      instances.set(type, made);
    }
    return made;
  };

  const payloadFor = (type: unknown, options: Readonly<EndpointOptions>): PayloadBinding | string => {
    const c = codecsOf(options);
    let binding = c.bindings.get(type);
    if (binding === undefined) {
      binding = bindingFor(type, c.settings, instance);
      c.bindings.set(type, binding);
    }
    return binding;
  };

  const encoderFor = (options: Readonly<EndpointOptions>): ObjectEncoder => {
    const c = codecsOf(options);
    if (c.encode === undefined) {
      const entries: EncoderEntry[] = [];
      for (const type of c.settings.encoders) {
        const made = instance(type);
        if (typeof made === "string") problems.push({ where: type.name, problem: made, fix: "make its constructor parameters injectable classes or @inject(token) registered in the container." });
        else entries.push({ type, instance: made as EncoderEntry["instance"] });
      }
      c.encode = objectEncoder(entries);
    }
    return c.encode;
  };

  return { payloadFor, encoderFor, routingFor: (options) => codecsOf(options).settings };
}

function bindingFor(type: unknown, settings: EndpointCodecSettings, instance: (t: CoderClass) => object | string): PayloadBinding | string {
  const name = typeof type === "function" ? type.name || "anonymous class" : String(type);
  const decoders = settings.decoders.filter((d) => d.decodes === type);
  if (decoders.length > 0) {
    const entries: DecoderEntry[] = [];
    for (const d of decoders) {
      const made = instance(d);
      if (typeof made === "string") return made;
      entries.push({ type: d, instance: made as DecoderEntry["instance"] });
    }
    return decoderBinding({ name }, entries);
  }
  if (hasValidationRules(type)) return dtoBinding(type as never, settings);
  return `class ${name} has no decoder (list one with static decodes = ${name} in decoders) and no class-validator decorators (so it cannot be validated as a DTO).`;
}
