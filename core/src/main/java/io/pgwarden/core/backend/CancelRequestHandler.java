package io.pgwarden.core.backend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.config.BackendTlsConfig;
import io.pgwarden.core.protocol.backend.BackendKeyData;
import io.pgwarden.core.protocol.frontend.CancelRequest;
import io.pgwarden.core.protocol.frontend.SslRequest;
import java.util.concurrent.CompletableFuture;

/** Sends one CancelRequest, after SSLRequest and TLS unless TLS is disabled, then closes. */
final class CancelRequestHandler extends ChannelInboundHandlerAdapter {

    private final BackendConfig backend;
    private final BackendKeyData key;
    private final SslContext sslContext;
    private final CompletableFuture<Void> result;
    private ChannelHandlerContext ctx;
    private boolean awaitingSslResponse;
    private boolean sent;

    CancelRequestHandler(BackendConfig backend, BackendKeyData key, SslContext sslContext, CompletableFuture<Void> result) {
        this.backend = backend;
        this.key = key;
        this.sslContext = sslContext;
        this.result = result;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
    }

    @Override
    public void channelActive(ChannelHandlerContext context) {
        if (sslContext == null) {
            sendCancel();
        } else {
            awaitingSslResponse = true;
            ByteBuf request = context.alloc().buffer(8);
            SslRequest.INSTANCE.encode(request);
            context.writeAndFlush(request);
        }
        context.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (!awaitingSslResponse || !(msg instanceof ByteBuf in) || !in.isReadable()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        awaitingSslResponse = false;
        byte answer = in.readByte();
        boolean extra = in.isReadable();
        in.release();
        if (answer == 'S' && !extra) {
            SslHandler tls = sslContext.newHandler(context.alloc(), backend.host(), backend.port());
            context.pipeline().addFirst(tls);
            tls.handshakeFuture().addListener(done -> {
                if (done.isSuccess()) {
                    sendCancel();
                } else {
                    fail(new BackendException("08001", "TLS with backend " + backend.name() + " failed for a cancel: "
                            + done.cause().getMessage(), done.cause()));
                }
            });
        } else if (answer == 'N' && !extra && backend.tls().mode() == BackendTlsConfig.Mode.PREFER) {
            sendCancel();
        } else {
            fail(new BackendException("08001", "backend " + backend.name() + " refused TLS for a cancel (answer 0x"
                    + Integer.toHexString(answer & 0xff) + ", sslmode " + backend.tls().mode().yamlName() + ")"));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        fail(new BackendException("08001", "cancel to backend " + backend.name() + " failed: " + cause.getMessage(), cause));
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        if (!sent) {
            fail(new BackendException("08006", "backend " + backend.name() + " closed the connection before the cancel"));
        }
        context.fireChannelInactive();
    }

    void fail(BackendException failure) {
        if (result.completeExceptionally(failure) && ctx != null) {
            ctx.close();
        }
    }

    private void sendCancel() {
        ByteBuf request = ctx.alloc().buffer(16 + key.secretKey().length);
        new CancelRequest(key.processId(), key.secretKey()).encode(request);
        sent = true;
        ctx.writeAndFlush(request).addListener(done -> {
            if (done.isSuccess()) {
                // PostgreSQL closes the connection itself after reading the request; waiting for that
                // would add nothing, so close now and report success once closed.
                ctx.close().addListener(closed -> result.complete(null));
            } else {
                fail(new BackendException("08006", "could not send the cancel to backend " + backend.name(),
                        done.cause()));
            }
        });
    }
}
