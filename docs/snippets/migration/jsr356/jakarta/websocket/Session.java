package jakarta.websocket;

/** Stub of the Jakarta WebSocket type, so docs/migration-jsr356.md compiles without the API jar. */
public interface Session {
    String getId();
    java.util.Set<Session> getOpenSessions();
    RemoteEndpoint.Async getAsyncRemote();
}
