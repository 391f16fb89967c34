package jakarta.websocket.server;

import java.lang.annotation.*;

/** Stub of the Jakarta WebSocket annotation, so docs/migration-jsr356.md compiles without the API jar. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface PathParam {
    String value();
}
