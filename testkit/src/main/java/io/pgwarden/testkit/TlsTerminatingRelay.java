package io.pgwarden.testkit;

import io.pgwarden.testkit.CertificateAuthority.IssuedCertificate;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A man in the middle for channel binding tests: it accepts a PostgreSQL client's SSLRequest, finishes TLS with
 * its <em>own</em> certificate (minted at start by its own CA), opens a second TLS session to the target (an
 * SSLRequest, then a handshake that trusts any certificate) and pipes the decrypted bytes both ways.
 *
 * <p>A client that uses SCRAM channel binding ({@code tls-server-end-point}) through it binds to the relay's
 * certificate, not the target's, so a server that checks the binding must refuse it; without channel binding the
 * relay is invisible. Plain threads and blocking sockets, independent of the Netty code under test; a connection
 * ends on both sides when either side ends. {@link #close()} stops accepting and closes every connection.
 */
public final class TlsTerminatingRelay implements AutoCloseable {

    private static final int SSL_REQUEST_CODE = 80877103;
    private static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;
    private static final char[] STORE_PASSWORD = "pgwarden-relay".toCharArray();

    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final SSLContext serverContext;
    private final SSLContext clientContext;
    private final X509Certificate certificate;
    private final Thread acceptor;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final AtomicLong relayed = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();

    private TlsTerminatingRelay(InetSocketAddress target, ServerSocket listener, SSLContext serverContext,
                                SSLContext clientContext, X509Certificate certificate) {
        this.target = target;
        this.listener = listener;
        this.serverContext = serverContext;
        this.clientContext = clientContext;
        this.certificate = certificate;
        this.acceptor = new Thread(this::acceptLoop, "tls-relay-accept-" + listener.getLocalPort());
        acceptor.setDaemon(true);
    }

    /** Starts relaying from {@code 127.0.0.1:}{@link #port()} to {@code targetHost:targetPort}, which must speak TLS. */
    public static TlsTerminatingRelay start(String targetHost, int targetPort) {
        Objects.requireNonNull(targetHost, "targetHost");
        IssuedCertificate own;
        SSLContext serverContext;
        SSLContext clientContext;
        try {
            own = CertificateAuthority.create("pgwarden TLS-terminating relay CA").issueServer("localhost");
            serverContext = serverContext(own);
            clientContext = SSLContext.getInstance("TLS");
            clientContext.init(null, new TrustManager[] {new TrustEverything()}, null);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("could not set up the relay's TLS", e);
        }
        ServerSocket listener;
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("could not open the relay's port", e);
        }
        TlsTerminatingRelay relay = new TlsTerminatingRelay(new InetSocketAddress(targetHost, targetPort), listener,
                serverContext, clientContext, own.certificate());
        relay.acceptor.start();
        return relay;
    }

    /** {@code 127.0.0.1}. */
    public String host() {
        return "127.0.0.1";
    }

    /** The port clients connect to. */
    public int port() {
        return listener.getLocalPort();
    }

    /** The certificate the relay shows its clients (not the target's). */
    public X509Certificate certificate() {
        return certificate;
    }

    /** Connections whose two TLS sessions were both established and piped. */
    public long relayedConnections() {
        return relayed.get();
    }

    /** Stops accepting, closes every connection and waits briefly for the relay's threads to end. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeQuietly(listener);
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
        join(acceptor);
        for (Thread thread : threads) {
            join(thread);
        }
    }

    private void acceptLoop() {
        while (!closed.get()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            track(client);
            startThread("tls-relay-connect-" + client.getPort(), () -> relay(client));
        }
    }

    /** Both handshakes, then one pump per direction; any failure closes the client (the test sees a broken login). */
    private void relay(Socket client) {
        Socket server = null;
        try {
            client.setTcpNoDelay(true);
            client.setSoTimeout(HANDSHAKE_TIMEOUT_MILLIS);
            if (!readSslRequest(client.getInputStream())) {
                closeQuietly(client);
                return;
            }
            client.getOutputStream().write('S');
            client.getOutputStream().flush();
            SSLSocket clientTls = (SSLSocket) serverContext.getSocketFactory()
                    .createSocket(client, client.getInetAddress().getHostAddress(), client.getPort(), true);
            track(clientTls);
            clientTls.setUseClientMode(false);
            clientTls.startHandshake();

            server = new Socket();
            track(server);
            server.setTcpNoDelay(true);
            server.connect(target, HANDSHAKE_TIMEOUT_MILLIS);
            server.setSoTimeout(HANDSHAKE_TIMEOUT_MILLIS);
            server.getOutputStream().write(sslRequest());
            server.getOutputStream().flush();
            int answer = server.getInputStream().read();
            if (answer != 'S') {
                throw new IOException("the target answered the SSLRequest with " + answer + " instead of 'S'");
            }
            SSLSocket serverTls = (SSLSocket) clientContext.getSocketFactory()
                    .createSocket(server, target.getHostString(), target.getPort(), true);
            track(serverTls);
            serverTls.setUseClientMode(true);
            serverTls.startHandshake();

            clientTls.setSoTimeout(0);
            serverTls.setSoTimeout(0);
            relayed.incrementAndGet();
            AtomicBoolean open = new AtomicBoolean(true);
            startThread("tls-relay-s2c-" + client.getPort(), () -> pump(serverTls, clientTls, open));
            pump(clientTls, serverTls, open);
        } catch (IOException e) {
            closeQuietly(client);
            if (server != null) {
                closeQuietly(server);
            }
        }
    }

    private static boolean readSslRequest(InputStream in) throws IOException {
        byte[] request = new byte[8];
        new DataInputStream(in).readFully(request);
        ByteBuffer buffer = ByteBuffer.wrap(request);
        return buffer.getInt() == 8 && buffer.getInt() == SSL_REQUEST_CODE;
    }

    private static byte[] sslRequest() {
        return ByteBuffer.allocate(8).putInt(8).putInt(SSL_REQUEST_CODE).array();
    }

    /** Copies until either side ends, then closes both: a TLS relay cannot forward a half-close faithfully. */
    private static void pump(Socket from, Socket to, AtomicBoolean open) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int read;
            while ((read = in.read(buffer)) >= 0) {
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException e) {
            // A closed or reset side ends the connection below.
        } finally {
            if (open.compareAndSet(true, false)) {
                closeQuietly(from);
                closeQuietly(to);
            }
        }
    }

    private void track(Socket socket) {
        sockets.add(socket);
        if (closed.get()) {
            closeQuietly(socket);
        }
    }

    private void startThread(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private static void join(Thread thread) {
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // Closing something already broken has nothing left to report.
        }
    }

    private static SSLContext serverContext(IssuedCertificate own) throws GeneralSecurityException, IOException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("relay", own.privateKey(), STORE_PASSWORD, own.chain().toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, STORE_PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }

    /** The relay is the attacker: it accepts whatever certificate the target shows. */
    private static final class TrustEverything implements X509TrustManager {

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // Never used: the relay is the client here.
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // Deliberately no check.
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
