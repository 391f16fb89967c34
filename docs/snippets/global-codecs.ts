import { bootstrap, type ServerHandle } from "ws-endpoints";
import { PointDecoder, PointEncoder } from "./point-codec.js";

/** Codec settings for every endpoint; an endpoint's own options win. */
export function start(port: number): Promise<ServerHandle> {
  return bootstrap({
    port,
    codecs: {
      decoders: [PointDecoder],
      encoders: [PointEncoder],
      validation: { validator: { forbidNonWhitelisted: true, stopAtFirstError: true } },
      invalidMessages: "close-1008",
      envelope: { typeField: "op", dataField: "data", idField: "rid" },
    },
  });
}
