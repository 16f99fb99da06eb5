package io.pgwarden.plugin.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Hands a sink an event body given as text, as the writer hands it the renderer's UTF-8 bytes. */
final class TestSinks {

    private TestSinks() {
    }

    /** Appends {@code body} in UTF-8, in an array longer than the body, as the renderer's buffer is. */
    static void append(AuditSink sink, String body, long nowMillis) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        byte[] buffer = new byte[bytes.length + 16];
        System.arraycopy(bytes, 0, buffer, 0, bytes.length);
        buffer[bytes.length] = 'x';
        sink.append(buffer, bytes.length, nowMillis);
    }
}
