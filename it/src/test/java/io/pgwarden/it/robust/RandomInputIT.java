package io.pgwarden.it.robust;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import io.pgwarden.testkit.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Thousands of connections that send random bytes (some after a valid startup packet, some after an
 * SSLRequest, some as random framed messages after login) each end in an ErrorResponse or a close within a
 * bounded time, while a well-behaved pgjdbc session keeps getting right answers; afterwards the proxy still
 * admits clients, has leaked no buffer and holds no more heap than before.
 */
@ExtendWith(LeakCheckExtension.class)
class RandomInputIT {

    private static final long SEED = 0x9e3779b97f4a7c15L;
    private static final int CONNECTIONS = 3000;
    private static final int WORKERS = 8;
    private static final int MAX_CLIENTS = 64;
    /** How long one random connection may take to be answered or closed after it stopped sending. */
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final byte[] FRONTEND_TYPES = "QPBEDSHCdcfFXp".getBytes(StandardCharsets.US_ASCII);

    private static TestCertificates certificates;
    private static EmbeddedPostgres postgres;
    private static ProxyFixture proxy;
    /** A proxy whose onQuery and row hooks decode what clients send and what the server answers. */
    private static ProxyFixture hooked;

    @BeforeAll
    static void start() throws Exception {
        certificates = TestCertificates.create();
        postgres = EmbeddedPostgres.builder().setting("max_connections", "150").start();
        String tls = "{ mode: allow, cert: \"%s\", key: \"%s\" }".formatted(certificates.serverCertificate(),
                certificates.serverKey());
        proxy = ProxyConfigs.start(ProxyConfigs.yaml(postgres.port(), tls,
                "limits: { max_client_connections: " + MAX_CLIENTS + ", auth_timeout: 20s }\n"
                        // Session pooling: every admitted client holds a server, so the pool fits them all.
                        + "pool: { size: " + MAX_CLIENTS + " }"));
        hooked = ProxyConfigs.start(ProxyConfigs.yaml(postgres.port(), "{ mode: disable }",
                "plugins: [ { type: test-statement-policy }, { type: test-secret-rewrite, column: secret } ]"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {proxy, hooked, postgres, certificates}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @Test
    void randomBytesNeverHangAConnectionNorDisturbOtherSessions() throws Exception {
        List<byte[]> inputs = inputs(new Random(SEED));
        long heapBefore = usedHeapAfterGc();
        ch.qos.logback.classic.Logger proxyLog = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.pgwarden");
        Level level = proxyLog.getLevel();
        proxyLog.setLevel(Level.ERROR); // thousands of refusals would otherwise flood the build output

        AtomicBoolean fuzzing = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> wrongAnswers = new ConcurrentLinkedQueue<>();
        AtomicInteger rightAnswers = new AtomicInteger();
        Thread bystander = new Thread(() -> askWhileFuzzing(fuzzing, rightAnswers, wrongAnswers), "bystander");
        ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
        List<Outcome> outcomes = new ArrayList<>();
        try {
            bystander.start();
            List<Future<Outcome>> futures = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                int index = i;
                futures.add(workers.submit(() -> send(index, inputs.get(index))));
            }
            for (Future<Outcome> future : futures) {
                outcomes.add(future.get(5, TimeUnit.MINUTES));
            }
        } finally {
            fuzzing.set(false);
            workers.shutdownNow();
            bystander.join(30_000);
            proxyLog.setLevel(level);
        }

        System.out.printf("%d random connections: %d answered with an ErrorResponse, slowest ended after %d ms;"
                        + " %d right answers to the bystander%n", outcomes.size(),
                outcomes.stream().filter(Outcome::gotError).count(),
                outcomes.stream().mapToLong(Outcome::millis).max().orElse(0), rightAnswers.get());
        assertThat(outcomes).filteredOn(outcome -> !outcome.ended()).as("connections left hanging").isEmpty();
        assertThat(outcomes).hasSize(CONNECTIONS);
        assertThat(outcomes).filteredOn(Outcome::gotError).as("connections answered with an ErrorResponse").isNotEmpty();
        assertThat(wrongAnswers).as("answers to the well-behaved session").isEmpty();
        assertThat(rightAnswers.get()).isGreaterThan(10);
        assertThat(serverSessionsAfterSettling()).as("server sessions left behind by the random connections").isZero();
        assertThat(admittedConnectionsSettleAt(1)).as("every random connection gave its slot back").isLessThanOrEqualTo(1);
        proxyAdmitsClientsUpToItsLimit();
        long growth = usedHeapAfterGc() - heapBefore;
        assertThat(growth).as("heap growth in bytes").isLessThan(64L * 1024 * 1024);
    }

    @Test
    void randomMessagesAfterLoginThroughQueryAndRowHooksEndInAnErrorOrCloseAndLeakNothing() throws Exception {
        Random random = new Random(SEED + 1);
        List<byte[]> inputs = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int m = random.nextInt(4); m >= 0; m--) {
                out.writeBytes(random.nextBoolean() ? randomMessage(random) : randomStatement(random));
            }
            inputs.add(out.toByteArray());
        }
        ExecutorService workers = Executors.newFixedThreadPool(4);
        List<Outcome> outcomes = new ArrayList<>();
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                int index = i;
                futures.add(workers.submit(() -> sendAfterLogin(index, inputs.get(index))));
            }
            for (Future<Outcome> future : futures) {
                outcomes.add(future.get(5, TimeUnit.MINUTES));
            }
        } finally {
            workers.shutdownNow();
        }

        assertThat(outcomes).filteredOn(outcome -> !outcome.ended()).as("connections left hanging").isEmpty();
        try (RawPgClient client = RawPgClient.connect("127.0.0.1", hooked.port())) {
            client.sendStartup(Map.of("user", "postgres", "database", "postgres"));
            client.readUntilReadyForQuery();
            client.sendQuery("SELECT 'to-null' AS secret");
            assertThat(client.readUntilReadyForQuery()).extracting(RawMessage::type).containsExactly('T', 'D', 'C', 'Z');
        }
    }

    /** Logs in, waits for ReadyForQuery, then sends the input, half-closes and reads until the proxy closes. */
    private static Outcome sendAfterLogin(int index, byte[] input) throws IOException {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", hooked.port()), 5000);
            socket.setSoTimeout(Math.toIntExact(BOUND.toMillis()));
            java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
            socket.getOutputStream().write(startupPacket());
            int type;
            do {
                type = in.read();
                int length = in.readInt();
                in.skipNBytes(length - 4);
                assertThat(type).as("login of connection %d", index).isNotEqualTo('E');
            } while (type != 'Z');
            try {
                socket.getOutputStream().write(input);
                socket.shutdownOutput();
            } catch (SocketException closedEarly) {
                return new Outcome(index, true, false, elapsed(start));
            }
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            boolean ended = drain(in, received, start);
            return new Outcome(index, ended, containsErrorResponse(received.toByteArray()), elapsed(start));
        }
    }

    /** A Query or Parse whose text is random, with or without its terminator, sometimes with a marker the hooks act on. */
    private static byte[] randomStatement(Random random) {
        String[] markers = {"DROP TABLE x", "SELECT 'original'", "SHOW pgwarden_answer", "pgwarden_throw", "SELECT 'x' AS secret"};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean parse = random.nextBoolean();
        if (parse) {
            body.writeBytes("s\0".getBytes(StandardCharsets.US_ASCII));
        }
        boolean marked = random.nextInt(3) == 0;
        body.writeBytes(marked ? markers[random.nextInt(markers.length)].getBytes(StandardCharsets.UTF_8) : randomBytes(random, 100));
        if (random.nextInt(4) != 0) {
            body.write(0);
        }
        if (parse) {
            body.writeBytes(randomBytes(random, 6));
        }
        byte[] bytes = body.toByteArray();
        return ByteBuffer.allocate(5 + bytes.length).put((byte) (parse ? 'P' : 'Q')).putInt(4 + bytes.length).put(bytes).array();
    }

    /** What happened to one random connection. */
    private record Outcome(int index, boolean ended, boolean gotError, long millis) {
    }

    private static Outcome send(int index, byte[] input) throws IOException {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", proxy.port()), 5000);
            socket.setSoTimeout(Math.toIntExact(BOUND.toMillis()));
            try {
                socket.getOutputStream().write(input);
                socket.shutdownOutput();
            } catch (SocketException closedEarly) {
                return new Outcome(index, true, false, elapsed(start));
            }
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            boolean ended = drain(socket.getInputStream(), received, start);
            return new Outcome(index, ended, containsErrorResponse(received.toByteArray()), elapsed(start));
        }
    }

    /** Reads until the proxy closes; false when it neither closed nor stopped talking within the bound. */
    private static boolean drain(InputStream in, ByteArrayOutputStream received, long start) throws IOException {
        byte[] buffer = new byte[8192];
        long deadline = start + BOUND.toNanos() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            int n;
            try {
                n = in.read(buffer);
            } catch (SocketTimeoutException hang) {
                return false;
            } catch (SocketException reset) {
                return true;
            }
            if (n < 0) {
                return true;
            }
            if (received.size() < 1 << 16) {
                received.write(buffer, 0, n);
            }
        }
        return false;
    }

    /** Whether an 'E' message starts where a message may start: at 0, after 'N' or 'S', or after whole messages. */
    private static boolean containsErrorResponse(byte[] bytes) {
        int position = 0;
        if (bytes.length > 0 && (bytes[0] == 'N' || bytes[0] == 'S') && (bytes.length == 1 || bytes[1] == 'E')) {
            position = 1;
        }
        while (position + 5 <= bytes.length) {
            if (bytes[position] == 'E') {
                return true;
            }
            int length = ByteBuffer.wrap(bytes, position + 1, 4).getInt();
            if (length < 4) {
                return false;
            }
            position += 1 + length;
        }
        return false;
    }

    private static long elapsed(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static void askWhileFuzzing(AtomicBoolean fuzzing, AtomicInteger right, ConcurrentLinkedQueue<String> wrong) {
        String url = "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres?user=postgres&sslmode=disable";
        try (Connection connection = DriverManager.getConnection(url);
             PreparedStatement statement = connection.prepareStatement("SELECT ?::int * 2, repeat('ab', ?::int)")) {
            for (int i = 0; fuzzing.get(); i++) {
                statement.setInt(1, i);
                statement.setInt(2, i % 500);
                try (ResultSet rs = statement.executeQuery()) {
                    if (!rs.next() || rs.getInt(1) != i * 2 || !rs.getString(2).equals("ab".repeat(i % 500)) || rs.next()) {
                        wrong.add("wrong answer for " + i);
                    } else {
                        right.incrementAndGet();
                    }
                }
                Thread.sleep(5);
            }
        } catch (Exception e) {
            wrong.add(e.toString());
        }
    }

    /**
     * The proxy frees a slot when it has processed a connection's end, which may come a moment
     * after the client saw it; waits (bounded) for the count to come down to the expected one.
     */
    private static int admittedConnectionsSettleAt(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (proxy.server().sessions().size() > expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return proxy.server().sessions().size();
    }

    /** Client backends on the server other than this query's, once they stop going away (at most 20 s). */
    /**
     * Server sessions that no pool holds as idle: every server left behind by a random connection
     * must be back in its pool, between transactions, or closed.
     */
    private static long serverSessionsAfterSettling() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long count;
        try (Connection connection = postgres.superuserConnection(); java.sql.Statement statement = connection.createStatement()) {
            do {
                try (ResultSet rs = statement.executeQuery("SELECT count(*), count(*) FILTER (WHERE state <> 'idle')"
                        + " FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
                    rs.next();
                    long pooled = idlePooledServers(proxy) + idlePooledServers(hooked);
                    count = rs.getLong(2) + Math.max(0, rs.getLong(1) - pooled);
                }
                if (count > 0) {
                    Thread.sleep(100);
                }
            } while (count > 0 && System.nanoTime() < deadline);
        }
        return count;
    }

    private static long idlePooledServers(ProxyFixture fixture) {
        return fixture.server().pools().stream().mapToLong(pool -> pool.idle()).sum();
    }

    private static void proxyAdmitsClientsUpToItsLimit() throws IOException {
        List<RawPgClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_CLIENTS - 4; i++) {
                RawPgClient client = RawPgClient.connect("127.0.0.1", proxy.port());
                clients.add(client);
                client.sendStartup(Map.of("user", "postgres", "database", "postgres"));
            }
            for (RawPgClient client : clients) {
                assertThat(client.readUntilReadyForQuery()).extracting(RawMessage::type).doesNotContain('E');
                client.sendQuery("SELECT 1");
                assertThat(client.readUntilReadyForQuery()).extracting(RawMessage::type).containsExactly('T', 'D', 'C', 'Z');
            }
        } finally {
            for (RawPgClient client : clients) {
                client.close();
            }
        }
    }

    private static List<byte[]> inputs(Random random) {
        List<byte[]> inputs = new ArrayList<>(CONNECTIONS);
        for (int i = 0; i < CONNECTIONS; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            switch (i % 5) {
                case 0 -> out.writeBytes(randomBytes(random, 1500));
                case 1 -> {
                    out.writeBytes(startupPacket());
                    out.writeBytes(randomBytes(random, 1500));
                }
                case 2 -> {
                    out.writeBytes(ByteBuffer.allocate(8).putInt(8).putInt(80877103).array());
                    out.writeBytes(randomBytes(random, 300));
                }
                case 3 -> {
                    out.writeBytes(ByteBuffer.allocate(8).putInt(8 + random.nextInt(600)).putInt(RawPgClient.PROTOCOL_3_0).array());
                    out.writeBytes(randomBytes(random, 700));
                }
                default -> {
                    out.writeBytes(startupPacket());
                    for (int m = random.nextInt(6); m >= 0; m--) {
                        out.writeBytes(randomMessage(random));
                    }
                }
            }
            inputs.add(out.toByteArray());
        }
        return inputs;
    }

    /** A frontend message of a known or random type whose length field is right, lies, or is absurd. */
    private static byte[] randomMessage(Random random) {
        byte type = random.nextInt(4) == 0 ? (byte) random.nextInt(256) : FRONTEND_TYPES[random.nextInt(FRONTEND_TYPES.length)];
        byte[] body = randomBytes(random, 200);
        int length = switch (random.nextInt(6)) {
            case 0 -> random.nextInt(4) - 1;
            case 1 -> random.nextInt();
            case 2 -> 4 + body.length + 1 + random.nextInt(5000);
            default -> 4 + body.length;
        };
        return ByteBuffer.allocate(5 + body.length).put(type).putInt(length).put(body).array();
    }

    private static byte[] randomBytes(Random random, int maxLength) {
        byte[] bytes = new byte[random.nextInt(maxLength + 1)];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] startupPacket() {
        byte[] parameters = "user\0postgres\0database\0postgres\0\0".getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(8 + parameters.length).putInt(8 + parameters.length).putInt(RawPgClient.PROTOCOL_3_0)
                .put(parameters).array();
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
