import { OnMessage, OnOpen, PongMessage, ServerEndpoint, Session } from "ws-endpoints";

@ServerEndpoint("/report")
export class ReportEndpoint {
  /** Streams one text message in three frames; the peer receives it whole. */
  @OnOpen()
  async open(session: Session) {
    const remote = session.getBasicRemote();
    await remote.sendText("line 1\n", false);
    await remote.sendText("line 2\n", false);
    await remote.sendText("end", true);
    await remote.sendPing(Buffer.from(String(Date.now())));
  }

  /** Pongs arrive here, e.g. to measure latency from the timestamp we sent in the ping. */
  @OnMessage()
  pong(pong: PongMessage, session: Session) {
    const sentAt = Number(pong.getApplicationData().toString("utf8"));
    session.getUserProperties().set("rttMs", Date.now() - sentAt);
  }
}
