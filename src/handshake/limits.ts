import type { Duplex } from "node:stream";

/** A connection slot held from the start of a handshake until the session is released. */
export interface ConnectionTicket {
  readonly limits: ConnectionLimits;
  readonly key: object;
  readonly ip: string;
  released: boolean;
}

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

  reserve(key: object, maxForKey: number, ip: string): ConnectionTicket | LimitRefusal {
    if (this.total >= this.maxTotal) return { status: 503, message: "server connection limit reached" };
    const forKey = this.perKey.get(key) ?? 0;
    if (forKey >= maxForKey) return { status: 503, message: "endpoint connection limit reached" };
    const forIp = this.perIp.get(ip) ?? 0;
    if (forIp >= this.maxPerIp) return { status: 429, message: "too many connections from this address" };
    this.total++;
    this.perKey.set(key, forKey + 1);
    this.perIp.set(ip, forIp + 1);
    return { limits: this, key, ip, released: false };
  }

  release(ticket: ConnectionTicket): void {
    if (ticket.released) return;
    ticket.released = true;
    this.total--;
    const k = this.perKey.get(ticket.key)! - 1;
    this.perKey.set(ticket.key, k);
    const n = this.perIp.get(ticket.ip)! - 1;
    if (n === 0) this.perIp.delete(ticket.ip);
    else this.perIp.set(ticket.ip, n);
  }
}

const TICKET = Symbol("ws-endpoints:ticket");
type TicketHolder = Duplex & { [TICKET]?: ConnectionTicket };

// A module-level listener with the ticket on the socket: a closure and a `once` wrapper per socket cost
// ~0.25 KB for as long as the connection lives (T5).
function releaseOnClose(this: TicketHolder): void {
  const ticket = this[TICKET];
  if (ticket !== undefined) ticket.limits.release(ticket);
}

/** The slot is the socket's: given back when it closes, whether refused, dropped or closed normally. */
export function holdUntilClose(socket: Duplex, ticket: ConnectionTicket): void {
  (socket as TicketHolder)[TICKET] = ticket;
  socket.on("close", releaseOnClose);
}

/** `::ffff:10.0.0.1` → `10.0.0.1`, so one IPv4 peer is one key however the socket reports it. */
export function peerAddress(raw: string | undefined): string {
  if (raw === undefined) return "";
  return raw.startsWith("::ffff:") && raw.includes(".") ? raw.slice(7) : raw;
}

/** Whether a ticket or a refusal. */
export function isRefusal(r: ConnectionTicket | LimitRefusal): r is LimitRefusal {
  return "status" in r;
}
