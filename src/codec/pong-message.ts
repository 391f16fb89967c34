/** A pong received from the peer; declare a `PongMessage` parameter on an `@OnMessage` method to receive pongs. */
export class PongMessage {
  constructor(private readonly data: Buffer) {}

  /** The application data the pong carried (usually echoed from our ping). */
  getApplicationData(): Buffer {
    return this.data;
  }
}
