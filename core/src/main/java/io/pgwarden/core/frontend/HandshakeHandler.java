package io.pgwarden.core.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.pgwarden.core.protocol.ProtocolException;
import io.pgwarden.core.protocol.frontend.CancelRequest;
import io.pgwarden.core.protocol.frontend.GssEncRequest;
import io.pgwarden.core.protocol.frontend.SslRequest;
import io.pgwarden.core.protocol.frontend.StartupMessage;
import io.pgwarden.core.protocol.frontend.StartupPacket;
import io.pgwarden.spi.TlsInfo;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first thing a client connection meets: answers SSLRequest and GSSENCRequest, accepts direct
 * TLS (libpq 17 {@code sslnegotiation=direct}, ALPN {@code postgresql}), routes CancelRequest, and
 * reads the StartupMessage within the size limit. One instance per phase: a fresh one follows the
 * TLS handshake, because the rules differ after it (no second SSLRequest).
 */
public final class HandshakeHandler extends ByteToMessageDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(HandshakeHandler.class);
    private static final byte TLS_HANDSHAKE_RECORD = 0x16;

    private final ClientTls tls;
    private final ClientAcceptor acceptor;
    private final int maxStartupPacketSize;
    /** Null before TLS; the handler that secures this connection after. */
    private final SslHandler sslHandler;
    private final boolean direct;
    private boolean handedOver;

    /**
     * Creates the handler for a new connection.
     *
     * @param tls the client TLS setup
     * @param acceptor where sessions start
     * @param maxStartupPacketSize the startup packet limit in bytes
     */
    public HandshakeHandler(ClientTls tls, ClientAcceptor acceptor, int maxStartupPacketSize) {
        this(tls, acceptor, maxStartupPacketSize, null, false);
    }

    private HandshakeHandler(ClientTls tls, ClientAcceptor acceptor, int maxStartupPacketSize,
                             SslHandler sslHandler, boolean direct) {
        this.tls = tls;
        this.acceptor = acceptor;
        this.maxStartupPacketSize = maxStartupPacketSize;
        this.sslHandler = sslHandler;
        this.direct = direct;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ClientAcceptor.Refusal refusal = acceptor.admit();
        if (refusal != null) {
            handedOver = true; // nothing reserved, nothing to give back
            FatalReply.send(ctx.channel(), refusal.sqlState(), refusal.message());
            acceptor.refused(ctx.channel(), refusal);
            return;
        }
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (handedOver || !ctx.channel().isActive()) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (sslHandler == null && in.isReadable() && in.getByte(in.readerIndex()) == TLS_HANDSHAKE_RECORD) {
            startDirectTls(ctx);
            return;
        }
        if (in.readableBytes() < 4) {
            return;
        }
        int length = in.getInt(in.readerIndex());
        if (length < 8 || length > maxStartupPacketSize) {
            fail(ctx, "08P01", "invalid length of startup packet");
            return;
        }
        if (in.readableBytes() < length) {
            return;
        }
        StartupPacket packet;
        try {
            packet = StartupPacket.decode(in.readSlice(length).skipBytes(4));
        } catch (ProtocolException e) {
            fail(ctx, e.sqlState(), e.getMessage());
            return;
        }
        if (packet instanceof SslRequest) {
            answerSslRequest(ctx, in);
        } else if (packet instanceof GssEncRequest) {
            if (in.isReadable()) {
                fail(ctx, "08P01", "received unencrypted data after GSSAPI encryption request");
                return;
            }
            ctx.writeAndFlush(ctx.alloc().buffer(1).writeByte('N'));
        } else if (packet instanceof CancelRequest cancel) {
            handedOver = true;
            acceptor.leave();
            acceptor.cancel(cancel);
            ctx.close();
        } else if (packet instanceof StartupMessage startup) {
            startSession(ctx, startup);
        }
    }

    private void answerSslRequest(ChannelHandlerContext ctx, ByteBuf in) {
        if (sslHandler != null) {
            fail(ctx, "08P01", "SSLRequest received on a connection that already uses TLS");
            return;
        }
        if (in.isReadable()) {
            // Bytes after the SSLRequest would be read as if they came through TLS (CVE-2021-23222).
            fail(ctx, "08P01", "received unencrypted data after SSL request");
            return;
        }
        if (!tls.enabled()) {
            ctx.writeAndFlush(ctx.alloc().buffer(1).writeByte('N'));
            return;
        }
        ctx.writeAndFlush(ctx.alloc().buffer(1).writeByte('S'));
        upgrade(ctx, false);
    }

    private void startDirectTls(ChannelHandlerContext ctx) {
        if (!tls.enabled()) {
            // The client speaks TLS and cannot read a plaintext error.
            LOG.debug("refused direct TLS from {}: TLS is disabled", ctx.channel().remoteAddress());
            fail(ctx, null, null);
            return;
        }
        upgrade(ctx, true);
    }

    /** Puts TLS and a fresh handshake handler behind this one, then leaves; buffered bytes go to TLS. */
    private void upgrade(ChannelHandlerContext ctx, boolean directTls) {
        SslHandler handler = tls.newHandler(ctx.alloc());
        handedOver = true;
        ctx.pipeline().addAfter(ctx.name(), "tls", handler);
        ctx.pipeline().addAfter("tls", "handshake-tls",
                new HandshakeHandler(tls, acceptor, maxStartupPacketSize, handler, directTls));
        ctx.pipeline().remove(this);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof SslHandshakeCompletionEvent completion && sslHandler != null) {
            if (!completion.isSuccess()) {
                LOG.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), completion.cause().toString());
                fail(ctx, null, null);
                return;
            }
            if (direct && !ClientTls.ALPN_POSTGRESQL.equals(sslHandler.applicationProtocol())) {
                fail(ctx, "08P01", "received direct SSL connection request without ALPN protocol negotiation extension");
                return;
            }
        }
        super.userEventTriggered(ctx, event);
    }

    private void startSession(ChannelHandlerContext ctx, StartupMessage startup) {
        int major = startup.protocolVersion() >>> 16;
        int minor = startup.protocolVersion() & 0xFFFF;
        if (major != 3) {
            fail(ctx, "0A000", "unsupported frontend protocol " + major + "." + minor + ": server supports 3.0 to 3.0");
            return;
        }
        if (tls.required() && sslHandler == null) {
            fail(ctx, "28000", "TLS is required: this proxy refuses unencrypted connections (connect with sslmode=require)");
            return;
        }
        handedOver = true;
        TlsInfo tlsInfo = sslHandler == null ? null : tlsInfo(sslHandler.engine().getSession());
        ctx.pipeline().remove(this);
        acceptor.start(ctx.channel(), startup, tlsInfo, sslHandler == null ? null : tls.serverEndPoint());
    }

    private TlsInfo tlsInfo(SSLSession session) {
        String serverName = null;
        if (session instanceof ExtendedSSLSession extended) {
            for (SNIServerName name : extended.getRequestedServerNames()) {
                if (name instanceof SNIHostName host) {
                    serverName = host.getAsciiName();
                }
            }
        }
        List<X509Certificate> chain = new ArrayList<>();
        try {
            for (Certificate certificate : session.getPeerCertificates()) {
                if (certificate instanceof X509Certificate x509) {
                    chain.add(x509);
                }
            }
        } catch (SSLPeerUnverifiedException e) {
            chain.clear(); // no client certificate
        }
        return new TlsInfo(session.getProtocol(), session.getCipherSuite(), serverName, chain, direct);
    }

    private void fail(ChannelHandlerContext ctx, String sqlState, String message) {
        if (!handedOver) {
            handedOver = true;
            acceptor.leave();
        }
        if (sqlState == null) {
            ctx.close();
        } else {
            LOG.debug("refused {}: {} {}", ctx.channel().remoteAddress(), sqlState, message);
            FatalReply.send(ctx.channel(), sqlState, message);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!handedOver) {
            handedOver = true;
            acceptor.leave();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        fail(ctx, null, null);
    }
}
