package jakarta.websocket;

/** Stub of the Jakarta WebSocket type, so docs/migration-jsr356.md compiles without the API jar. */
public class CloseReason {
    public interface CloseCode {
        int getCode();
    }

    public CloseCode getCloseCode() {
        return () -> 1000;
    }
}
