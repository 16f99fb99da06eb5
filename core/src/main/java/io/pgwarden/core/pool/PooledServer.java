package io.pgwarden.core.pool;

import io.netty.channel.Channel;
import io.pgwarden.core.backend.ServerConnection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A server connection that belongs to a pool, with what the proxy knows of its session state: the
 * settings it reports (ParameterStatus), the settings the proxy set that it does not report, the
 * session initialization it ran, and the named statements it holds. Used by one session at a time,
 * on the event loop its channel is registered with.
 */
public final class PooledServer {

    private final ServerConnection connection;
    private final ServerPool pool;
    private final Map<String, String> reported;
    private final Map<String, String> baseline;
    private final Map<String, String> unreported = new HashMap<>();
    private final LinkedHashMap<String, Boolean> statements = new LinkedHashMap<>(16, 0.75f, true);
    private final long createdNanos;
    private List<String> init = List.of();
    private long releasedNanos;
    private boolean discarded;
    private io.netty.channel.ChannelHandler relay;
    /** Built once: the pin scanner asks it for every Query and Parse in transaction mode. */
    private final java.util.function.Predicate<String> tracksSetting = this::reportsMovable;

    PooledServer(ServerConnection connection, ServerPool pool) {
        this.connection = connection;
        this.pool = pool;
        this.reported = new LinkedHashMap<>(connection.parameters());
        this.baseline = Map.copyOf(connection.parameters());
        this.createdNanos = System.nanoTime();
        this.releasedNanos = createdNanos;
    }

    /** @return the connection */
    public ServerConnection connection() {
        return connection;
    }

    /** @return the channel to the server */
    public Channel channel() {
        return connection.channel();
    }

    /** @return the pool it belongs to */
    public ServerPool pool() {
        return pool;
    }

    /**
     * The settings the server reported, as it reported them last (ParameterStatus); mutable, kept
     * current by whoever reads the server's messages.
     *
     * @return name to value
     */
    public Map<String, String> reported() {
        return reported;
    }

    /** @return the settings as reported at startup, which {@code RESET ALL} returns to */
    Map<String, String> baseline() {
        return baseline;
    }

    /** @return settings the server does not report that the proxy set on it, name (lower case) to value */
    Map<String, String> unreported() {
        return unreported;
    }

    /** @return the session initialization statements the server ran last */
    List<String> init() {
        return init;
    }

    void init(List<String> statements) {
        this.init = List.copyOf(statements);
    }

    /**
     * The server ran {@code DISCARD ALL}, {@code RESET ALL} or a reset of unknown extent: settings it
     * does not report are back at their defaults, and so is the session initialization.
     */
    public void sessionReset() {
        unreported.clear();
        init = List.of();
    }

    /** The server's prepared statements are all gone ({@code DEALLOCATE ALL}, {@code DISCARD ALL}). */
    public void statementsDeallocated() {
        statements.clear();
    }

    /**
     * Whether the server holds a named statement, marking it recently used.
     *
     * @param name the server-side name
     * @return true when prepared there
     */
    public boolean hasStatement(String name) {
        return statements.get(name) != null;
    }

    /**
     * Records a statement as prepared on the server.
     *
     * @param name the server-side name
     * @param limit the most statements kept
     * @return the least recently used statement to close now, or null
     */
    public String addStatement(String name, int limit) {
        statements.put(name, Boolean.TRUE);
        if (statements.size() <= limit) {
            return null;
        }
        Iterator<String> oldest = statements.keySet().iterator();
        String evicted = oldest.next();
        oldest.remove();
        return evicted;
    }

    /**
     * Forgets a statement (closed, or its Parse failed).
     *
     * @param name the server-side name
     */
    public void removeStatement(String name) {
        statements.remove(name);
    }

    /**
     * The handler that relays this server's messages to whichever session holds it; it stays in the
     * pipeline from the first session on, so lending the server changes no pipeline.
     *
     * @return the handler, or null before the first session
     */
    public io.netty.channel.ChannelHandler relay() {
        return relay;
    }

    /**
     * Records the relay handler, once.
     *
     * @param handler the handler, already in the pipeline
     */
    public void relay(io.netty.channel.ChannelHandler handler) {
        this.relay = handler;
    }

    /**
     * Whether a session-level SET of a setting moves with the session: the server reports it, so
     * the pool follows it from ParameterStatus and can set it on another server.
     *
     * @return a test of lower-case setting names
     */
    java.util.function.Predicate<String> tracksSetting() {
        return tracksSetting;
    }

    private boolean reportsMovable(String lowerCaseName) {
        for (String name : reported.keySet()) {
            if (name.toLowerCase(java.util.Locale.ROOT).equals(lowerCaseName)) {
                return SettingsPlan.movable(name);
            }
        }
        return false;
    }

    /** @return how many named statements the server holds for the proxy; on the server's loop */
    public int statementCount() {
        return statements.size();
    }

    /** @return the {@link System#nanoTime()} the server connection was made */
    public long createdNanos() {
        return createdNanos;
    }

    /** @return the {@link System#nanoTime()} the server was last given back to its pool */
    public long releasedNanos() {
        return releasedNanos;
    }

    void released(long now) {
        releasedNanos = now;
    }

    boolean discarded() {
        return discarded;
    }

    void markDiscarded() {
        discarded = true;
    }

    @Override
    public String toString() {
        return "PooledServer[" + pool.key() + ", " + connection.channel() + "]";
    }
}
