package jakarta.websocket;

import java.lang.annotation.*;

/** Stub of the Jakarta WebSocket annotation, so docs/migration-jsr356.md compiles without the API jar. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface OnOpen {}
