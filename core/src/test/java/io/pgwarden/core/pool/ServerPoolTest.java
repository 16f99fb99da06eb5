package io.pgwarden.core.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.pgwarden.core.backend.BackendConnector;
import io.pgwarden.core.backend.ServerConnection;
import io.pgwarden.core.backend.ServerConnections;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.config.BackendTlsConfig;
import io.pgwarden.core.config.PoolConfig;
import io.pgwarden.core.config.PoolMode;
import io.pgwarden.core.protocol.backend.ErrorResponse;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pool's bookkeeping over in-VM channels (Netty's local transport, no socket): the far end of
 * each channel stands in for a PostgreSQL backend that has already logged in. Only passthrough
 * pools can be filled this way (they take the servers their clients' logins opened); a pool that
 * opens its own connections is tested for the failure to do so.
 */
class ServerPoolTest {

    private static final BackendConfig BACKEND = new BackendConfig("main", "localhost", 5432,
            new BackendTlsConfig(BackendTlsConfig.Mode.DISABLE, null), Duration.ofSeconds(5));
    private static final BackendLogin LOGIN = new BackendLogin("main", "app", "app", Credential.none(), Map.of(), List.of());
    private static final long WAIT_SECONDS = 5;

    private final DefaultEventLoopGroup group = new DefaultEventLoopGroup(2);
    private final List<EventLoop> loops = new ArrayList<>();
    private final LocalAddress address = new LocalAddress("poolunit-" + UUID.randomUUID());
    private final BlockingQueue<FarEnd> accepted = new LinkedBlockingQueue<>();
    private final List<Channel> channels = new ArrayList<>();
    private final List<FarEnd> farEnds = new ArrayList<>();
    private final Channel listener;
    private PoolRegistry registry;

    /** The backend's side of one connection: what it received, and whether it closed. */
    private static final class FarEnd extends ChannelInboundHandlerAdapter {
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private final CompletableFuture<Void> closed = new CompletableFuture<>();
        private volatile Channel channel;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            synchronized (received) {
                received.writeBytes(ByteBufUtil.getBytes(buf));
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed.complete(null);
        }

        byte[] received() {
            synchronized (received) {
                return received.toByteArray();
            }
        }
    }

    ServerPoolTest() throws InterruptedException {
        for (EventExecutor executor : group) {
            loops.add((EventLoop) executor);
        }
        listener = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                .childHandler(new io.netty.channel.ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        FarEnd far = new FarEnd();
                        channel.pipeline().addLast(far);
                        accepted.add(far);
                    }
                }).bind(address).sync().channel();
    }

    /** Closes both ends of every connection before the loops stop, so no close is left for a stopped loop. */
    @AfterEach
    void stop() throws Exception {
        if (registry != null) {
            registry.close();
            for (EventLoop loop : loops) {
                run(loop, () -> { });
            }
        }
        for (Channel channel : channels) {
            channel.close().sync();
        }
        for (FarEnd far : farEnds) {
            far.channel.close().sync();
            far.closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
        }
        listener.close().sync();
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    }

    private static PoolConfig config(int size, int maxDatabaseConnections, Duration queryWait, Duration lifetime) {
        PoolConfig d = PoolConfig.DEFAULTS;
        return new PoolConfig(PoolMode.TRANSACTION, size, 0, 0, d.reserveTimeout(), maxDatabaseConnections, 0,
                d.maxPreparedStatements(), queryWait, d.idleTransactionTimeout(), d.clientIdleTimeout(), d.serverIdleTimeout(),
                lifetime, d.serverCheckDelay(), d.serverCheckQuery(), d.serverResetQuery(), Map.of(), Map.of());
    }

    private ServerPool passthroughPool(PoolConfig config) {
        return passthroughPool(config, LOGIN);
    }

    private ServerPool passthroughPool(PoolConfig config, BackendLogin login) {
        if (registry == null) {
            registry = new PoolRegistry(config, Map.of("main", BACKEND), new BackendConnector(LocalChannel.class, 1 << 20), group,
                    new SimpleMeterRegistry());
        }
        return registry.pool(login, true);
    }

    /** A logged-in "server" connection registered with this loop, and its far end. */
    private record Connected(ServerConnection connection, FarEnd far) {
    }

    private Connected connect(EventLoop loop) throws Exception {
        Channel channel = new Bootstrap().group(loop).channel(LocalChannel.class).handler(new ChannelInboundHandlerAdapter())
                .connect(address).sync().channel();
        channels.add(channel);
        FarEnd far = accepted.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(far).as("the far end accepted").isNotNull();
        farEnds.add(far);
        return new Connected(ServerConnections.on(channel, Map.of("server_version", "17.2")), far);
    }

    private static <T> T on(EventLoop loop, Callable<T> task) throws Exception {
        return loop.submit(task).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private static void run(EventLoop loop, Runnable task) throws Exception {
        loop.submit(task).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** A session waiting for a server; records what it got. */
    private static final class RecordingWaiter extends Waiter {
        final CompletableFuture<PooledServer> delivered = new CompletableFuture<>();
        final CompletableFuture<String> failed = new CompletableFuture<>();
        volatile boolean gone;
        volatile boolean deliveredOnItsLoop;

        RecordingWaiter(EventLoop loop) {
            super(loop);
        }

        @Override
        protected void deliver(PooledServer server) {
            deliveredOnItsLoop = loop().inEventLoop() && server.channel().eventLoop() == loop();
            delivered.complete(server);
        }

        @Override
        protected void fail(ErrorResponse error) {
            failed.complete(error.sqlState() + " " + error.message());
        }

        @Override
        protected boolean cancelled() {
            return gone;
        }
    }

    private static void awaitStats(ServerPool pool, int active, int idle, int waiting) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        PoolStats stats = pool.stats();
        while (System.nanoTime() < deadline) {
            stats = pool.stats();
            if (stats.active() == active && stats.idle() == idle && stats.waiting() == waiting) {
                return;
            }
            Thread.sleep(5);
        }
        assertThat(stats).as("active, idle, waiting").extracting(PoolStats::active, PoolStats::idle, PoolStats::waiting)
                .containsExactly(active, idle, waiting);
    }

    @Test
    void pausedPoolHandsOutNothingUntilResumedAndDrainsWhenServersComeBack() throws Exception {
        ServerPool pool = passthroughPool(config(2, 0, Duration.ofSeconds(120), Duration.ZERO));
        EventLoop loop = loops.get(0);
        Connected connected = connect(loop);
        PooledServer server = on(loop, () -> pool.adopt(connected.connection()));

        registry.pause("app");
        assertThat(registry.drained("app")).as("a server is lent").isFalse();
        assertThat(registry.drained("other")).as("no pool of another database").isTrue();
        run(loop, () -> pool.release(server));
        assertThat(registry.drained("app")).isTrue();
        awaitStats(pool, 0, 1, 0);
        assertThat(on(loop, () -> pool.poll(loop))).as("paused: the idle server is not handed out").isNull();
        RecordingWaiter waiter = new RecordingWaiter(loop);
        run(loop, () -> pool.acquire(waiter));
        assertThat(waiter.delivered).isNotDone();

        assertThat(registry.resume("other")).as("another database was not paused").isFalse();
        assertThat(registry.resume("app")).isTrue();
        assertThat(waiter.delivered.get(WAIT_SECONDS, TimeUnit.SECONDS)).isSameAs(server);
        assertThat(registry.resume("app")).as("resumed already").isFalse();
    }

    @Test
    void pauseOfAllCoversEveryDatabaseAndAWaiterThatLeftIsForgotten() throws Exception {
        ServerPool pool = passthroughPool(config(2, 0, Duration.ofSeconds(120), Duration.ZERO));
        EventLoop loop = loops.get(0);
        registry.pause(null);
        RecordingWaiter gone = new RecordingWaiter(loop);
        run(loop, () -> pool.acquire(gone));
        run(loop, () -> pool.cancel(gone));
        assertThat(registry.resume("app")).as("only a pause of all is in force").isFalse();
        assertThat(registry.resume(null)).isTrue();
        Connected connected = connect(loop);
        PooledServer server = on(loop, () -> pool.adopt(connected.connection()));
        run(loop, () -> pool.release(server));
        awaitStats(pool, 0, 1, 0);
        assertThat(gone.delivered).as("the cancelled waiter got nothing").isNotDone();
    }

    @Test
    void retiredServersCloseIdleAtOnceAndLentOnesWhenReleased() throws Exception {
        ServerPool pool = passthroughPool(config(3, 0, Duration.ofSeconds(120), Duration.ZERO));
        EventLoop loop = loops.get(0);
        Connected idle = connect(loop);
        Connected lent = connect(loop);
        PooledServer idleServer = on(loop, () -> pool.adopt(idle.connection()));
        PooledServer lentServer = on(loop, () -> pool.adopt(lent.connection()));
        run(loop, () -> pool.release(idleServer));

        assertThat(registry.knows("app")).isTrue();
        assertThat(registry.knows("nope")).isFalse();
        registry.retire("app");
        idle.far().closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(lent.connection().channel().isActive()).isTrue();
        run(loop, () -> pool.release(lentServer));
        lent.far().closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
        awaitStats(pool, 0, 0, 0);

        Connected fresh = connect(loop);
        PooledServer freshServer = on(loop, () -> pool.adopt(fresh.connection()));
        run(loop, () -> pool.release(freshServer));
        awaitStats(pool, 0, 1, 0);
    }

    @Test
    void passthroughPoolAdoptsServersUpToItsSize() throws Exception {
        ServerPool pool = passthroughPool(config(2, 0, Duration.ofSeconds(120), Duration.ZERO));
        EventLoop loop = loops.get(0);
        Connected first = connect(loop);
        Connected second = connect(loop);
        Connected third = connect(loop);

        assertThat(on(loop, () -> pool.adopt(first.connection()))).isNotNull();
        assertThat(on(loop, () -> pool.adopt(second.connection()))).isNotNull();
        assertThat(on(loop, () -> pool.adopt(third.connection()))).as("the pool is full").isNull();

        assertThat(pool.stats()).isEqualTo(new PoolStats("main", "app", "app", null, "transaction", 2, 0, 0, 0, 0));
    }

    @Test
    void releasedServerIsTakenAgainOnlyOnItsOwnLoop() throws Exception {
        ServerPool pool = passthroughPool(config(2, 0, Duration.ofSeconds(120), Duration.ZERO));
        EventLoop loop = loops.get(0);
        Connected connected = connect(loop);
        PooledServer server = on(loop, () -> pool.adopt(connected.connection()));

        run(loop, () -> pool.release(server));
        awaitStats(pool, 0, 1, 0);

        assertThat(on(loops.get(1), () -> pool.poll(loops.get(1)))).as("another loop's shard is empty").isNull();
        assertThat(on(loop, () -> pool.poll(loop))).isSameAs(server);
        awaitStats(pool, 1, 0, 0);
        assertThat(on(loop, () -> pool.poll(loop))).isNull();
    }

    @Test
    void releasedServerGoesToTheWaitingSession() throws Exception {
        ServerPool pool = passthroughPool(config(1, 0, Duration.ofSeconds(120), Duration.ZERO));
        EventLoop loop = loops.get(0);
        Connected connected = connect(loop);
        PooledServer server = on(loop, () -> pool.adopt(connected.connection()));
        RecordingWaiter waiter = new RecordingWaiter(loop);

        run(loop, () -> pool.acquire(waiter));
        awaitStats(pool, 1, 0, 1);
        run(loop, () -> pool.release(server));

        assertThat(waiter.delivered.get(WAIT_SECONDS, TimeUnit.SECONDS)).isSameAs(server);
        assertThat(waiter.deliveredOnItsLoop).isTrue();
        awaitStats(pool, 1, 0, 0);
    }

    @Test
    void serverMovesToTheLoopOfASessionWaitingOnAnother() throws Exception {
        ServerPool pool = passthroughPool(config(1, 0, Duration.ofSeconds(120), Duration.ZERO));
        Connected connected = connect(loops.get(0));
        PooledServer server = on(loops.get(0), () -> pool.adopt(connected.connection()));
        RecordingWaiter waiter = new RecordingWaiter(loops.get(1));

        run(loops.get(1), () -> pool.acquire(waiter));
        run(loops.get(0), () -> pool.release(server));

        assertThat(waiter.delivered.get(WAIT_SECONDS, TimeUnit.SECONDS)).isSameAs(server);
        assertThat(waiter.deliveredOnItsLoop).as("delivered on the waiter's loop, the channel moved there").isTrue();
        assertThat(server.channel().isActive()).isTrue();
        awaitStats(pool, 1, 0, 0);
    }

    @Test
    void idleServerOnAnotherLoopServesASessionThatFoundNoneOnItsOwn() throws Exception {
        ServerPool pool = passthroughPool(config(1, 0, Duration.ofSeconds(120), Duration.ZERO));
        Connected connected = connect(loops.get(0));
        PooledServer server = on(loops.get(0), () -> pool.adopt(connected.connection()));
        run(loops.get(0), () -> pool.release(server));
        awaitStats(pool, 0, 1, 0);
        RecordingWaiter waiter = new RecordingWaiter(loops.get(1));

        assertThat(on(loops.get(1), () -> pool.poll(loops.get(1)))).isNull();
        run(loops.get(1), () -> pool.acquire(waiter));

        assertThat(waiter.delivered.get(WAIT_SECONDS, TimeUnit.SECONDS)).isSameAs(server);
        assertThat(waiter.deliveredOnItsLoop).isTrue();
        awaitStats(pool, 1, 0, 0);
    }

    @Test
    void checkQueryIsDueOnlyAfterTheServerSatIdleLongerThanTheCheckDelay() throws Exception {
        PoolConfig d = config(1, 0, Duration.ofSeconds(120), Duration.ZERO);
        PoolConfig config = new PoolConfig(d.mode(), d.size(), 0, 0, d.reserveTimeout(), 0, 0, d.maxPreparedStatements(),
                d.queryWaitTimeout(), d.idleTransactionTimeout(), d.clientIdleTimeout(), d.serverIdleTimeout(), d.serverLifetime(),
                Duration.ofSeconds(1), "SELECT 1", d.serverResetQuery(), Map.of(), Map.of());
        ServerPool pool = passthroughPool(config);
        EventLoop loop = loops.get(0);
        Connected connected = connect(loop);
        PooledServer server = on(loop, () -> pool.adopt(connected.connection()));
        run(loop, () -> pool.release(server));
        PooledServer again = on(loop, () -> pool.poll(loop));

        assertThat(pool.checkDue(again)).as("just released").isFalse();
        run(loop, () -> pool.release(again));
        Thread.sleep(1100);
        PooledServer later = on(loop, () -> pool.poll(loop));
        assertThat(pool.checkDue(later)).isTrue();
    }

    @Test
    void sessionThatGaveUpWaitingIsSkipped() throws Exception {
        ServerPool pool = passthroughPool(config(1, 0, Duration.ofSeconds(120), Duration.ZERO));
        EventLoop loop = loops.get(0);
        Connected connected = connect(loop);
        PooledServer server = on(loop, () -> pool.adopt(connected.connection()));
        RecordingWaiter waiter = new RecordingWaiter(loop);
        run(loop, () -> pool.acquire(waiter));

        waiter.gone = true;
        run(loop, () -> pool.release(server));

        awaitStats(pool, 0, 1, 0);
        assertThat(waiter.delivered).isNotDone();
        assertThat(waiter.failed).isNotDone();
    }

    @Test
    void sessionWaitingLongerThanQueryWaitTimeoutGetsAnError() throws Exception {
        ServerPool pool = passthroughPool(config(1, 0, Duration.ofMillis(200), Duration.ZERO));
        EventLoop loop = loops.get(0);
        RecordingWaiter waiter = new RecordingWaiter(loop);

        run(loop, () -> pool.acquire(waiter));

        assertThat(waiter.failed.get(WAIT_SECONDS, TimeUnit.SECONDS))
                .isEqualTo("53300 no server connection available within query_wait_timeout (0.2s)");
        awaitStats(pool, 0, 0, 0);
        Connected connected = connect(loop);
        PooledServer server = on(loop, () -> pool.adopt(connected.connection()));
        run(loop, () -> pool.release(server));
        awaitStats(pool, 0, 1, 0);
        assertThat(waiter.delivered).isNotDone();
    }

    @Test
    void discardSendsTerminateClosesAndMakesRoom() throws Exception {
        ServerPool pool = passthroughPool(config(1, 0, Duration.ofSeconds(120), Duration.ZERO));
        EventLoop loop = loops.get(0);
        Connected first = connect(loop);
        PooledServer server = on(loop, () -> pool.adopt(first.connection()));

        run(loop, () -> pool.discard(server));
        run(loop, () -> pool.discard(server));

        first.far().closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(first.far().received()).isEqualTo(new byte[] {'X', 0, 0, 0, 4});
        awaitStats(pool, 0, 0, 0);
        Connected second = connect(loop);
        assertThat(on(loop, () -> pool.adopt(second.connection()))).as("room again").isNotNull();
        awaitStats(pool, 1, 0, 0);
    }

    @Test
    void idleServerThatSendsAnythingIsDiscarded() throws Exception {
        ServerPool pool = passthroughPool(config(1, 0, Duration.ofSeconds(120), Duration.ZERO));
        EventLoop loop = loops.get(0);
        Connected connected = connect(loop);
        PooledServer server = on(loop, () -> pool.adopt(connected.connection()));
        run(loop, () -> pool.release(server));
        awaitStats(pool, 0, 1, 0);

        // A NoticeResponse, as an administrator's pg_terminate_backend would be preceded by.
        Channel far = connected.far().channel;
        far.writeAndFlush(far.alloc().buffer().writeByte('N').writeInt(4)).sync();

        awaitStats(pool, 0, 0, 0);
        connected.far().closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(on(loop, () -> pool.poll(loop))).isNull();
    }

    @Test
    void idleServerThatClosesIsDiscarded() throws Exception {
        ServerPool pool = passthroughPool(config(1, 0, Duration.ofSeconds(120), Duration.ZERO));
        EventLoop loop = loops.get(0);
        Connected connected = connect(loop);
        PooledServer server = on(loop, () -> pool.adopt(connected.connection()));
        run(loop, () -> pool.release(server));

        connected.far().channel.close().sync();

        awaitStats(pool, 0, 0, 0);
        Connected replacement = connect(loop);
        assertThat(on(loop, () -> pool.adopt(replacement.connection()))).isNotNull();
    }

    @Test
    void serverPastItsLifetimeIsClosedWhenReleased() throws Exception {
        ServerPool pool = passthroughPool(config(1, 0, Duration.ofSeconds(120), Duration.ofMillis(1)));
        EventLoop loop = loops.get(0);
        Connected connected = connect(loop);
        PooledServer server = on(loop, () -> pool.adopt(connected.connection()));
        Thread.sleep(5);

        run(loop, () -> pool.release(server));

        connected.far().closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
        awaitStats(pool, 0, 0, 0);
    }

    @Test
    void databaseCapHoldsAcrossTheLoginsOfThatDatabase() throws Exception {
        PoolConfig config = config(5, 1, Duration.ofSeconds(120), Duration.ZERO);
        ServerPool app = passthroughPool(config);
        ServerPool other = passthroughPool(config, new BackendLogin("main", "app", "other", Credential.none(), Map.of(), List.of()));
        EventLoop loop = loops.get(0);
        Connected first = connect(loop);
        Connected second = connect(loop);
        PooledServer server = on(loop, () -> app.adopt(first.connection()));

        assertThat(on(loop, () -> other.adopt(second.connection()))).as("max_db_connections 1").isNull();

        run(loop, () -> app.discard(server));
        assertThat(on(loop, () -> other.adopt(second.connection()))).isNotNull();
    }

    @Test
    void pinnedSessionsAreCounted() throws Exception {
        ServerPool pool = passthroughPool(config(1, 0, Duration.ofSeconds(120), Duration.ZERO));

        pool.pinned();
        pool.pinned();

        assertThat(pool.stats().pinned()).isEqualTo(2);
    }

    @Test
    void poolThatCannotConnectFailsTheWaitingSessionAndFreesItsSlot() throws Exception {
        registry = new PoolRegistry(config(1, 0, Duration.ofSeconds(120), Duration.ZERO), Map.of("main", BACKEND),
                new BackendConnector(LocalChannel.class, 1 << 20), group, new SimpleMeterRegistry());
        // A client certificate without TLS to the backend: refused before any connection is tried.
        ServerPool pool = registry.pool(LOGIN.withUser("app", new Credential.ClientCertificate("cert", "key")), false);
        EventLoop loop = loops.get(0);
        RecordingWaiter first = new RecordingWaiter(loop);
        RecordingWaiter second = new RecordingWaiter(loop);

        run(loop, () -> pool.acquire(first));
        assertThat(first.failed.get(WAIT_SECONDS, TimeUnit.SECONDS)).startsWith("08001 ")
                .contains("uses a client certificate, but TLS to backend main is disabled");
        run(loop, () -> pool.acquire(second));
        assertThat(second.failed.get(WAIT_SECONDS, TimeUnit.SECONDS)).as("the failed attempt gave its slot back")
                .startsWith("08001 ");
        awaitStats(pool, 0, 0, 0);
        assertThat(pool.stats().opening()).isZero();
    }

    @Test
    void reloadShrinkingThePoolClosesIdleServersAboveTheNewSize() throws Exception {
        ServerPool pool = passthroughPool(config(3, 0, Duration.ofSeconds(120), Duration.ZERO));
        EventLoop loop = loops.get(0);
        List<Connected> connected = List.of(connect(loop), connect(loop), connect(loop));
        for (Connected each : connected) {
            PooledServer server = on(loop, () -> pool.adopt(each.connection()));
            run(loop, () -> pool.release(server));
        }
        awaitStats(pool, 0, 3, 0);

        registry.reconfigure(config(1, 0, Duration.ofSeconds(120), Duration.ZERO), Map.of("main", BACKEND));

        awaitStats(pool, 0, 1, 0);
        assertThat(registry.pool(LOGIN, true)).as("the same pool, resized").isSameAs(pool);
        assertThat(pool.settings().size()).isEqualTo(1);
        // The least recently used idle servers close first.
        connected.get(0).far().closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
        connected.get(1).far().closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(connected.get(2).far().closed).isNotDone();
    }

    @Test
    void reloadShrinkingThePoolClosesBusyServersAboveTheNewSizeWhenTheyComeBack() throws Exception {
        ServerPool pool = passthroughPool(config(2, 0, Duration.ofSeconds(120), Duration.ZERO));
        EventLoop loop = loops.get(0);
        Connected first = connect(loop);
        Connected second = connect(loop);
        PooledServer one = on(loop, () -> pool.adopt(first.connection()));
        PooledServer two = on(loop, () -> pool.adopt(second.connection()));

        registry.reconfigure(config(1, 0, Duration.ofSeconds(120), Duration.ZERO), Map.of("main", BACKEND));
        awaitStats(pool, 2, 0, 0);
        run(loop, () -> pool.release(one));

        first.far().closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
        awaitStats(pool, 1, 0, 0);
        run(loop, () -> pool.release(two));
        awaitStats(pool, 0, 1, 0);
        assertThat(second.far().closed).isNotDone();
    }

    @Test
    void reloadGrowingThePoolMakesRoomAtOnce() throws Exception {
        ServerPool pool = passthroughPool(config(1, 0, Duration.ofSeconds(120), Duration.ZERO));
        EventLoop loop = loops.get(0);
        Connected first = connect(loop);
        Connected second = connect(loop);
        assertThat(on(loop, () -> pool.adopt(first.connection()))).isNotNull();
        assertThat(on(loop, () -> pool.adopt(second.connection()))).as("size 1").isNull();

        registry.reconfigure(config(2, 0, Duration.ofSeconds(120), Duration.ZERO), Map.of("main", BACKEND));

        assertThat(on(loop, () -> pool.adopt(second.connection()))).as("size 2 after the reload").isNotNull();
    }

    @Test
    void reloadChangingTheBackendRetiresThePoolAndItsServersCloseWhenReleased() throws Exception {
        ServerPool pool = passthroughPool(config(2, 0, Duration.ofSeconds(120), Duration.ZERO));
        EventLoop loop = loops.get(0);
        Connected busy = connect(loop);
        Connected idle = connect(loop);
        PooledServer lent = on(loop, () -> pool.adopt(busy.connection()));
        PooledServer kept = on(loop, () -> pool.adopt(idle.connection()));
        run(loop, () -> pool.release(kept));
        awaitStats(pool, 1, 1, 0);
        BackendConfig moved = new BackendConfig("main", "db2.internal", 5433, BACKEND.tls(), BACKEND.connectTimeout());

        registry.reconfigure(config(2, 0, Duration.ofSeconds(120), Duration.ZERO), Map.of("main", moved));

        idle.far().closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
        ServerPool replacement = registry.pool(LOGIN, true);
        assertThat(replacement).isNotSameAs(pool);
        assertThat(replacement.backend()).isEqualTo(moved);
        assertThat(registry.stats()).as("only the new pool is listed").hasSize(1);
        run(loop, () -> pool.release(lent));
        busy.far().closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
        awaitStats(pool, 0, 0, 0);
    }

    @Test
    void reloadSettingADatabaseCapCountsServersAlreadyOpen() throws Exception {
        ServerPool app = passthroughPool(config(5, 0, Duration.ofSeconds(120), Duration.ZERO));
        ServerPool other = passthroughPool(config(5, 0, Duration.ofSeconds(120), Duration.ZERO),
                new BackendLogin("main", "app", "other", Credential.none(), Map.of(), List.of()));
        EventLoop loop = loops.get(0);
        Connected first = connect(loop);
        Connected second = connect(loop);
        PooledServer server = on(loop, () -> app.adopt(first.connection()));

        registry.reconfigure(config(5, 1, Duration.ofSeconds(120), Duration.ZERO), Map.of("main", BACKEND));

        assertThat(on(loop, () -> other.adopt(second.connection()))).as("max_db_connections 1, held by app").isNull();
        run(loop, () -> app.discard(server));
        assertThat(on(loop, () -> other.adopt(second.connection()))).isNotNull();
    }
}
