package io.pgwarden.core.backend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.config.BackendTlsConfig;
import io.pgwarden.core.protocol.Frame;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgFrameDecoder;
import io.pgwarden.core.protocol.backend.Authentication;
import io.pgwarden.core.protocol.backend.AuthenticationCleartextPassword;
import io.pgwarden.core.protocol.backend.AuthenticationMD5Password;
import io.pgwarden.core.protocol.backend.AuthenticationOk;
import io.pgwarden.core.protocol.backend.AuthenticationSASL;
import io.pgwarden.core.protocol.backend.AuthenticationSASLContinue;
import io.pgwarden.core.protocol.backend.AuthenticationSASLFinal;
import io.pgwarden.core.protocol.backend.BackendKeyData;
import io.pgwarden.core.protocol.backend.ErrorResponse;
import io.pgwarden.core.protocol.backend.NegotiateProtocolVersion;
import io.pgwarden.core.protocol.backend.ParameterStatus;
import io.pgwarden.core.protocol.backend.ReadyForQuery;
import io.pgwarden.core.protocol.frontend.SslRequest;
import io.pgwarden.core.protocol.frontend.StartupMessage;
import io.pgwarden.spi.BackendLogin;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one backend connection from TCP connect to the first ReadyForQuery: SSLRequest and TLS,
 * StartupMessage, the Authentication exchange through a {@link BackendAuthResponder}, then
 * ParameterStatus and BackendKeyData. At ReadyForQuery it turns auto-read off, leaves the pipeline
 * to a {@link HeldInbound} that keeps whatever the server sent after it, and completes.
 */
final class BackendStartupHandler extends ChannelInboundHandlerAdapter {

    static final String NAME = "pgwarden-backend-startup";
    static final String TLS = "pgwarden-backend-tls";
    static final String FRAMES = "pgwarden-backend-frames";
    private static final Logger LOG = LoggerFactory.getLogger(BackendStartupHandler.class);

    private enum State {
        SSL_RESPONSE("waiting for the answer to SSLRequest"),
        TLS_HANDSHAKE("in the TLS handshake"),
        AUTHENTICATING("during authentication"),
        ANSWERING("while answering an authentication request"),
        STARTING("waiting for ReadyForQuery"),
        DONE("after startup"),
        FAILED("after failing");

        final String phase;

        State(String phase) {
            this.phase = phase;
        }
    }

    private final BackendConfig backend;
    private final BackendLogin login;
    private final BackendAuthResponder responder;
    private final SslContext sslContext;
    private final int maxMessageSize;
    private final CompletableFuture<ServerConnection> result;
    /** For sslmode prefer: a new plaintext attempt when the TLS handshake fails, as libpq makes. */
    private final Runnable plaintextRetry;
    private final Map<String, String> parameters = new LinkedHashMap<>();
    private final ArrayDeque<Frame> queued = new ArrayDeque<>();
    private State state = State.AUTHENTICATING;
    private ChannelHandlerContext ctx;
    private byte[] tlsServerEndPoint;
    private BackendKeyData keyData;

    BackendStartupHandler(BackendConfig backend, BackendLogin login, BackendAuthResponder responder,
                          SslContext sslContext, int maxMessageSize, CompletableFuture<ServerConnection> result,
                          Runnable plaintextRetry) {
        this.backend = backend;
        this.login = login;
        this.responder = responder;
        this.sslContext = sslContext;
        this.maxMessageSize = maxMessageSize;
        this.result = result;
        this.plaintextRetry = plaintextRetry;
    }

    String phase() {
        return state.phase;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
    }

    @Override
    public void channelActive(ChannelHandlerContext context) {
        if (sslContext != null) {
            state = State.SSL_RESPONSE;
            ByteBuf request = context.alloc().buffer(8);
            SslRequest.INSTANCE.encode(request);
            write(request);
        } else {
            addFrameDecoder();
            sendStartup();
        }
        context.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        switch (state) {
            case SSL_RESPONSE -> sslResponse(msg);
            case DONE -> context.fireChannelRead(msg);
            case FAILED -> ReferenceCountUtil.release(msg);
            case TLS_HANDSHAKE, ANSWERING -> queue(msg);
            case AUTHENTICATING, STARTING -> {
                if (msg instanceof Frame frame) {
                    frame(frame);
                } else {
                    ReferenceCountUtil.release(msg);
                    fail(new BackendException("08P01", "unexpected " + msg.getClass().getSimpleName()
                            + " from backend " + backend.name()));
                }
            }
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext context) {
        releaseQueued();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        if (state != State.DONE) {
            fail(new BackendException("08006", "backend " + backend.name() + " (" + backend.host() + ":"
                    + backend.port() + ") closed the connection " + state.phase));
        }
        context.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        if (state == State.DONE) {
            context.fireExceptionCaught(cause);
        } else if (state == State.TLS_HANDSHAKE) {
            tlsHandshakeFailed(cause);
        } else if (state == State.SSL_RESPONSE) {
            fail(BackendFailures.tls(backend, cause));
        } else {
            fail(BackendFailures.of(backend, cause));
        }
    }

    /** Ends the attempt: completes the result exceptionally (unless it completed) and closes the channel. */
    void fail(BackendException failure) {
        if (state == State.DONE || state == State.FAILED) {
            return;
        }
        state = State.FAILED;
        releaseQueued();
        LOG.debug("connection to backend {} for user {} failed: {} {}", backend.name(), login.user(),
                failure.sqlState(), failure.getMessage());
        result.completeExceptionally(failure);
        if (ctx != null) {
            ctx.close();
        }
    }

    private void sslResponse(Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ReferenceCountUtil.release(msg);
            fail(new BackendException("08P01", "unexpected message from backend " + backend.name()));
            return;
        }
        boolean passedOn = false;
        try {
            byte answer = in.getByte(in.readerIndex());
            if (answer == 'S') {
                in.skipBytes(1);
                if (in.isReadable()) {
                    // CVE-2021-23222: bytes after 'S' were not encrypted and may have been injected.
                    fail(new BackendException("08P01", "backend " + backend.name()
                            + " sent unencrypted data after accepting TLS"));
                    return;
                }
                startTls();
            } else if (answer == 'N') {
                in.skipBytes(1);
                if (backend.tls().mode() != BackendTlsConfig.Mode.PREFER) {
                    fail(new BackendException("08001", "backend " + backend.name() + " (" + backend.host() + ":"
                            + backend.port() + ") does not accept TLS connections, but sslmode is "
                            + backend.tls().mode().yamlName()));
                    return;
                }
                if (in.isReadable()) {
                    fail(new BackendException("08P01", "backend " + backend.name()
                            + " sent data after refusing TLS and before the StartupMessage"));
                    return;
                }
                LOG.debug("backend {} does not accept TLS; continuing in plaintext (sslmode prefer)", backend.name());
                addFrameDecoder();
                sendStartup();
            } else if (answer == 'E') {
                // A server that fails before reading the request (out of processes, say) answers with
                // an ErrorResponse; read it as one so its message reaches the caller.
                state = State.AUTHENTICATING;
                addFrameDecoder();
                passedOn = true;
                ctx.pipeline().fireChannelRead(in);
            } else {
                fail(new BackendException("08P01", "backend " + backend.name() + " answered SSLRequest with byte 0x"
                        + Integer.toHexString(answer & 0xff) + " instead of S or N"));
            }
        } finally {
            if (!passedOn) {
                in.release();
            }
        }
    }

    private void startTls() {
        state = State.TLS_HANDSHAKE;
        SslHandler tls = sslContext.newHandler(ctx.alloc(), backend.host(), backend.port());
        tls.setHandshakeTimeout(backend.connectTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        ctx.pipeline().addFirst(TLS, tls);
        addFrameDecoder();
        tls.handshakeFuture().addListener(this::handshakeDone);
    }

    private void handshakeDone(Future<? super io.netty.channel.Channel> future) {
        if (state != State.TLS_HANDSHAKE) {
            return;
        }
        if (!future.isSuccess()) {
            tlsHandshakeFailed(future.cause());
            return;
        }
        SslHandler tls = (SslHandler) ctx.pipeline().get(TLS);
        try {
            Certificate[] chain = tls.engine().getSession().getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof X509Certificate certificate) {
                tlsServerEndPoint = TlsServerEndPoint.of(certificate);
            }
        } catch (javax.net.ssl.SSLPeerUnverifiedException | IllegalArgumentException e) {
            // Without binding data SCRAM says "y": this client could bind but cannot here.
            LOG.debug("no channel binding with backend {}: {}", backend.name(), e.getMessage());
        }
        LOG.debug("TLS with backend {}: {} {}", backend.name(), tls.engine().getSession().getProtocol(),
                tls.engine().getSession().getCipherSuite());
        sendStartup();
    }

    private void tlsHandshakeFailed(Throwable cause) {
        if (plaintextRetry == null || backend.tls().mode() != BackendTlsConfig.Mode.PREFER) {
            fail(BackendFailures.tls(backend, cause));
            return;
        }
        // Leave quietly: this attempt is over, the result belongs to the plaintext one.
        state = State.FAILED;
        releaseQueued();
        LOG.debug("TLS with backend {} failed ({}); retrying without TLS (sslmode prefer)", backend.name(),
                cause.getMessage());
        ctx.close();
        plaintextRetry.run();
    }

    private void addFrameDecoder() {
        ctx.pipeline().addBefore(NAME, FRAMES, new PgFrameDecoder(maxMessageSize));
    }

    private void sendStartup() {
        state = State.AUTHENTICATING;
        Map<String, String> startup = new LinkedHashMap<>();
        startup.put("user", login.user());
        startup.put("database", login.database());
        login.parameters().forEach(startup::putIfAbsent);
        ByteBuf out = ctx.alloc().buffer();
        new StartupMessage(StartupMessage.PROTOCOL_3_0, startup).encode(out);
        write(out);
        drainQueued();
    }

    private void frame(Frame frame) {
        try {
            switch (frame.type()) {
                case MessageType.ERROR_RESPONSE -> fail(BackendException.fromServer(ErrorResponse.decode(frame.payload())));
                case MessageType.NOTICE_RESPONSE -> LOG.debug("notice from backend {} during startup", backend.name());
                case MessageType.NEGOTIATE_PROTOCOL_VERSION -> {
                    // The server goes on with 3.0 without the startup options it did not recognize
                    // (login parameters named _pq_.*); nothing to change on this side.
                    NegotiateProtocolVersion negotiated = NegotiateProtocolVersion.decode(frame.payload());
                    if (state != State.AUTHENTICATING) {
                        unexpected(frame.type());
                    } else {
                        LOG.debug("backend {} does not recognize startup options {}", backend.name(),
                                negotiated.unrecognizedOptions());
                    }
                }
                case MessageType.AUTHENTICATION -> {
                    if (state != State.AUTHENTICATING) {
                        unexpected(frame.type());
                    } else {
                        authentication(Authentication.decode(frame.payload()));
                    }
                }
                case MessageType.PARAMETER_STATUS -> {
                    ParameterStatus status = ParameterStatus.decode(frame.payload());
                    parameters.put(status.name(), status.value());
                }
                case MessageType.BACKEND_KEY_DATA -> {
                    if (state != State.STARTING) {
                        unexpected(frame.type());
                    } else {
                        keyData = BackendKeyData.decode(frame.payload());
                    }
                }
                case MessageType.READY_FOR_QUERY -> {
                    if (state != State.STARTING) {
                        unexpected(frame.type());
                    } else {
                        ReadyForQuery.decode(frame.payload());
                        finish();
                    }
                }
                default -> unexpected(frame.type());
            }
        } catch (RuntimeException e) {
            fail(BackendFailures.of(backend, e));
        } finally {
            frame.release();
        }
    }

    private void authentication(Authentication request) {
        if (request instanceof AuthenticationOk) {
            state = State.STARTING;
        } else if (request instanceof AuthenticationCleartextPassword) {
            ask(new AuthRequest.CleartextPassword());
        } else if (request instanceof AuthenticationMD5Password md5) {
            ask(new AuthRequest.Md5Password(md5.salt()));
        } else if (request instanceof AuthenticationSASL sasl) {
            ask(new AuthRequest.Sasl(sasl.mechanisms(), tlsServerEndPoint));
        } else if (request instanceof AuthenticationSASLContinue next) {
            ask(new AuthRequest.SaslContinue(next.data()));
        } else if (request instanceof AuthenticationSASLFinal last) {
            ask(new AuthRequest.SaslFinal(last.data()));
        } else {
            fail(new BackendException("08001", "backend " + backend.name() + " asks for "
                    + request.getClass().getSimpleName().replace("Authentication", "")
                    + " authentication, which pgwarden does not support towards backends"));
        }
    }

    private void ask(AuthRequest request) {
        state = State.ANSWERING;
        CompletionStage<ByteBuf> answer;
        try {
            answer = responder.answer(request, ctx.alloc());
        } catch (RuntimeException e) {
            fail(BackendFailures.of(backend, e));
            return;
        }
        answer.whenComplete((message, error) -> {
            if (ctx.executor().inEventLoop()) {
                answered(message, error);
            } else {
                try {
                    ctx.executor().execute(() -> answered(message, error));
                } catch (RuntimeException rejected) {
                    ReferenceCountUtil.release(message);
                }
            }
        });
    }

    private void answered(ByteBuf message, Throwable error) {
        if (state != State.ANSWERING) {
            ReferenceCountUtil.release(message);
            return;
        }
        if (error != null) {
            ReferenceCountUtil.release(message);
            fail(BackendFailures.of(backend, error));
            return;
        }
        state = State.AUTHENTICATING;
        if (message != null) {
            write(message);
        }
        drainQueued();
    }

    private void finish() {
        state = State.DONE;
        ctx.channel().config().setAutoRead(false);
        HeldInbound held = new HeldInbound();
        // Frames that arrived while an answer was pending come before the decoder's leftover bytes.
        while (!queued.isEmpty()) {
            held.add(ctx, queued.poll());
        }
        ctx.pipeline().replace(this, HeldInbound.NAME, held);
        // Removing the decoder hands its unread bytes to the next handler, now the one holding them.
        ctx.pipeline().remove(FRAMES);
        LOG.debug("connected to backend {} as {} on database {}", backend.name(), login.user(), login.database());
        result.complete(new ServerConnection(ctx.channel(), parameters, keyData, backend, login));
    }

    private void queue(Object msg) {
        if (msg instanceof Frame frame) {
            queued.add(frame);
        } else {
            ReferenceCountUtil.release(msg);
            fail(new BackendException("08P01", "unexpected data from backend " + backend.name() + " " + state.phase));
        }
    }

    private void drainQueued() {
        while (!queued.isEmpty() && (state == State.AUTHENTICATING || state == State.STARTING)) {
            frame(queued.poll());
        }
    }

    private void releaseQueued() {
        while (!queued.isEmpty()) {
            queued.poll().release();
        }
    }

    private void write(ByteBuf message) {
        ctx.writeAndFlush(message).addListener(future -> {
            if (!future.isSuccess()) {
                fail(new BackendException("08006", "could not write to backend " + backend.name() + ": "
                        + future.cause().getMessage(), future.cause()));
            }
        });
    }

    private void unexpected(byte type) {
        fail(BackendFailures.unexpected(backend, type, state.phase));
    }
}
