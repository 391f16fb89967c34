package jakarta.websocket;

/** Stub of the Jakarta WebSocket type, so docs/migration-jsr356.md compiles without the API jar. */
public interface RemoteEndpoint {
    interface Async {
        java.util.concurrent.Future<Void> sendText(String text);
    }
}
