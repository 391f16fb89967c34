import type { Duplex } from "node:stream";

/** Why no slot was given: the HTTP status and a short, generic explanation. */
export interface LimitRefusal {
  readonly status: 429 | 503;
  readonly message: string;
}

/**
 * Concurrent connection caps: per server and per endpoint (503, the server is full) and per peer IP
 * (429, this peer holds too many). Slots are taken when a handshake starts, so upgrades waiting on an
 * async `authenticate` count too, and given back exactly once.
 */
export class ConnectionLimits {
  private total = 0;
  private readonly perKey = new Map<object, number>();
  private readonly perIp = new Map<string, number>();

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerIp: number,
  ) {}

  /** Slots in use (open sessions plus handshakes in progress). */
  get size(): number {
    return this.total;
  }

  /** Connections (and handshakes) currently held by `ip`. */
  heldBy(ip: string): number {
    return this.perIp.get(ip) ?? 0;
  }

  /** Takes a slot for `key` and `ip` (null), or says why not; give it back with {@link holdUntilClose}. */
  reserve(key: object, maxForKey: number, ip: string): LimitRefusal | null {
    if (this.total >= this.maxTotal) return { status: 503, message: "server connection limit reached" };
    const forKey = this.perKey.get(key) ?? 0;
    if (forKey >= maxForKey) return { status: 503, message: "endpoint connection limit reached" };
    const forIp = this.perIp.get(ip) ?? 0;
    if (forIp >= this.maxPerIp) return { status: 429, message: "too many connections from this address" };
    this.total++;
    this.perKey.set(key, forKey + 1);
    this.perIp.set(ip, forIp + 1);
    return null;
  }

  /** Gives back a slot `reserve` took. */
  release(key: object, ip: string): void {
    this.total--;
    const k = this.perKey.get(key)! - 1;
    this.perKey.set(key, k);
    const n = this.perIp.get(ip)! - 1;
    if (n === 0) this.perIp.delete(ip);
    else this.perIp.set(ip, n);
  }
}

// The slot a socket holds, as properties of the socket: a ticket object would cost 56 bytes for as long
// as the connection lives (T5), and a closure with a `once` wrapper ~0.25 KB.
const LIMITS = Symbol("ws-endpoints:limits");
const KEY = Symbol("ws-endpoints:limit-key");
const IP = Symbol("ws-endpoints:limit-ip");
type SlotHolder = Duplex & { [LIMITS]?: ConnectionLimits | undefined; [KEY]?: object; [IP]?: string };

function releaseOnClose(this: SlotHolder): void {
  const limits = this[LIMITS];
  if (limits === undefined) return;
  this[LIMITS] = undefined;
  limits.release(this[KEY]!, this[IP]!);
}

/** The slot `limits.reserve(key, …, ip)` gave is the socket's: given back when it closes, whether refused, dropped or closed normally. */
export function holdUntilClose(socket: Duplex, limits: ConnectionLimits, key: object, ip: string): void {
  const s = socket as SlotHolder;
  s[LIMITS] = limits;
  s[KEY] = key;
  s[IP] = ip;
  socket.on("close", releaseOnClose);
}

/** `::ffff:10.0.0.1` → `10.0.0.1`, so one IPv4 peer is one key however the socket reports it. */
export function peerAddress(raw: string | undefined): string {
  if (raw === undefined) return "";
  return raw.startsWith("::ffff:") && raw.includes(".") ? raw.slice(7) : raw;
}

