package io.pgwarden.core.pool;

import io.netty.buffer.ByteBuf;

/** Whether a statement pins its session to its server, judged against what that server reports. */
public final class StatementPins {

    private StatementPins() {
    }

    /**
     * Scans statement text for session state that cannot move to another server.
     *
     * @param text the buffer holding the UTF-8 text
     * @param from the first byte of the text
     * @param to the end of the text (exclusive)
     * @param server the server the statement goes to: a SET of a setting it reports moves with the session
     * @return the reason to pin, or null
     */
    public static PinReason scan(ByteBuf text, int from, int to, PooledServer server) {
        return SessionStateScanner.scan(text, from, to, server.tracksSetting());
    }
}
