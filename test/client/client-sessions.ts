import { connectToServer, silentLogger, type ClientSession, type ConnectOptions, type EndpointClass } from "../../src/index.js";

/** Test helper: connects quietly (no heartbeat unless asked) and ends every session it opened. */
export class ClientSessions {
  private readonly open: ClientSession[] = [];

  constructor(
    private readonly endpoint: EndpointClass,
    private readonly defaults: ConnectOptions = {},
  ) {}

  async connect(url: string, options: ConnectOptions = {}): Promise<ClientSession> {
    const s = await connectToServer(this.endpoint, url, { heartbeat: false, logger: silentLogger, ...this.defaults, ...options });
    this.open.push(s);
    return s;
  }

  /** Closes what is still open and waits until every session has ended (its last @OnClose ran). */
  async closeAll(): Promise<void> {
    for (const s of this.open.splice(0)) {
      if (s.isOpen()) s.close();
      await s.closed;
    }
  }
}
