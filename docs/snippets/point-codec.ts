import { injectable } from "tsyringe";
import { OnMessage, ServerEndpoint, type Decoder, type Encoder } from "ws-endpoints";

export class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

/** Any service; tsyringe injects it into the decoder. */
@injectable()
export class Grid {
  readonly size = 10;
}

/** Text form `"x,y"`. */
@injectable()
export class PointDecoder implements Decoder.Text<Point> {
  static readonly decodes = Point;
  constructor(private readonly grid: Grid) {}

  willDecode(text: string): boolean {
    return /^-?\d+,-?\d+$/.test(text);
  }

  decode(text: string): Point {
    const [x, y] = text.split(",").map(Number);
    if (Math.abs(x!) > this.grid.size || Math.abs(y!) > this.grid.size) throw new RangeError("off the grid");
    return new Point(x!, y!);
  }
}

/** Binary form: two signed bytes. Decoders may be async. */
export class PointBinaryDecoder implements Decoder.Binary<Point> {
  static readonly decodes = Point;
  static readonly binary = true;

  willDecode(data: Buffer): boolean {
    return data.length === 2;
  }

  async decode(data: Buffer): Promise<Point> {
    return new Point(data.readInt8(0), data.readInt8(1));
  }
}

export class PointEncoder implements Encoder.Text<Point> {
  static readonly encodes = Point;

  encode(p: Point): string {
    return `${p.x},${p.y}`;
  }
}

@ServerEndpoint({ path: "/points", decoders: [PointDecoder, PointBinaryDecoder], encoders: [PointEncoder] })
export class PointEndpoint {
  /** Text or binary, the handler receives a Point; the returned Point goes out through PointEncoder. */
  @OnMessage()
  mirror(p: Point): Point {
    return new Point(-p.x, -p.y);
  }
}
