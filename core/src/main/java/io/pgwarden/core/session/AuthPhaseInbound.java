package io.pgwarden.core.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.pgwarden.core.protocol.Frame;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.ProtocolException;
import io.pgwarden.spi.AuthMessageLengthException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives the client's messages from the frame decoder until the relay takes over: answers to
 * authentication requests go to the pending request; a client that sends its first query before
 * ReadyForQuery has it kept, in order, for the relay; anything else is a protocol violation.
 */
final class AuthPhaseInbound extends ChannelInboundHandlerAdapter {

    /** The pipeline names of this handler and of the frame decoder before it. */
    static final String NAME = "auth";
    static final String DECODER = "frames";

    private static final Logger LOG = LoggerFactory.getLogger(AuthPhaseInbound.class);

    private final ClientSession session;
    private final List<Frame> early = new ArrayList<>();
    private ChannelHandlerContext ctx;

    AuthPhaseInbound(ClientSession session) {
        this.session = session;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext context) {
        early.forEach(Frame::release);
        early.clear();
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (!(msg instanceof Frame frame)) {
            context.fireChannelRead(msg);
            return;
        }
        if (session.closed()) {
            frame.release();
        } else if (frame.type() == MessageType.TERMINATE) {
            frame.release();
            context.close();
        } else if (session.deliverAuthAnswer(frame)) {
            return;
        } else if (session.state().identity().isPresent()) {
            early.add(frame);
        } else {
            byte type = frame.type();
            frame.release();
            session.clientViolation("unexpected message type '" + MessageType.frontendName(type) + "' during authentication");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        if (cause instanceof ProtocolException protocol) {
            // The decoder checks lengths only: an answer to a pending request with a refused length goes to its authenticator.
            if (!session.failAuthAnswer(new AuthMessageLengthException(protocol.getMessage()))) {
                session.clientViolation(protocol.getMessage());
            }
        } else {
            LOG.debug("[{}] client connection failed: {}", session.id(), cause.toString());
            context.close();
        }
    }

    /**
     * Leaves the pipeline for the relay added right after this handler: early messages first,
     * then the bytes the decoder had not framed yet, so the relay sees the client's stream in order.
     */
    void handOver() {
        for (Frame frame : early) {
            ctx.fireChannelRead(FrameWire.of(frame, ctx.alloc()));
            frame.release();
        }
        early.clear();
        ctx.pipeline().remove(this);
        ctx.pipeline().remove(DECODER);
    }
}
