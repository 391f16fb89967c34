import { ErrorParam, OnError, OnMessage, OnOpen, QueryParam, ServerEndpoint, Session, SessionParam } from "ws-endpoints";

@ServerEndpoint("/search")
export class SearchEndpoint {
  private page = 1;

  // "/search?q=ws&page=2&live=true": page is the number 2, live the boolean true; absent ones are undefined,
  // so the defaults apply. "?page=two" is refused with HTTP 400 before this class is even created. Write
  // the types out: for `page = 1` alone the compiler records Object, which bootstrap refuses.
  @OnOpen()
  open(session: Session, @QueryParam("q") q: string = "", @QueryParam("page") page: number = 1, @QueryParam("live") live: boolean = false): void {
    this.page = page;
    session.getAsyncRemote().sendText(`page ${page} of "${q}"${live ? ", live" : ""}`);
  }

  @OnMessage()
  next(command: string): string {
    if (command !== "next") throw new RangeError(`unknown command ${JSON.stringify(command)}`);
    return `page ${++this.page}`;
  }

  // @ErrorParam() and @SessionParam() mark the parameters for compilers that emit no decorator metadata
  // (tsx, esbuild); with them any declared type works, `unknown` included.
  @OnError()
  failed(@ErrorParam() error: unknown, @SessionParam() session: Session): void {
    session.getAsyncRemote().sendText(error instanceof Error ? error.message : String(error));
  }
}
