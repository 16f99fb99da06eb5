package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.MessageContext;
import io.pgwarden.spi.SessionContext;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One message as onMessage sees it: a read-only view of the frame's body. */
final class MessageView implements MessageContext {

    private static final Logger LOG = LoggerFactory.getLogger(MessageView.class);

    private final SessionContext session;
    private final Direction direction;
    private final byte type;
    private final ByteBuf frame;

    private MessageView(SessionContext session, Direction direction, byte type, ByteBuf frame) {
        this.session = session;
        this.direction = direction;
        this.type = type;
        this.frame = frame;
    }

    /** Shows a whole frame (type, length, body) to each subscriber; a failing one is logged and skipped. */
    static void notify(Interceptor[] hooks, SessionContext session, Direction direction, byte type, ByteBuf frame) {
        MessageView view = new MessageView(session, direction, type, frame);
        for (Interceptor hook : hooks) {
            try {
                hook.onMessage(view);
            } catch (RuntimeException e) {
                LOG.error("[{}] interceptor {} failed in onMessage", session.sessionId(), hook, e);
            }
        }
    }

    @Override
    public SessionContext session() {
        return session;
    }

    @Override
    public Direction direction() {
        return direction;
    }

    @Override
    public char type() {
        return (char) (type & 0xFF);
    }

    @Override
    public ByteBuffer payload() {
        return frame.nioBuffer(frame.readerIndex() + 5, frame.readableBytes() - 5).asReadOnlyBuffer();
    }
}
