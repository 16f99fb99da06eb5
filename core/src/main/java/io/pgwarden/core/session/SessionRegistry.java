package io.pgwarden.core.session;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live client sessions: admission against the connection limit, the cancel-key index and
 * the list that shutdown drains.
 */
public final class SessionRegistry {

    private final int maxClients;
    private final AtomicInteger count = new AtomicInteger();
    private final ConcurrentHashMap<Integer, ClientSession> byProcessId = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    /**
     * Creates an empty registry.
     *
     * @param maxClients the most sessions at once
     */
    public SessionRegistry(int maxClients) {
        this.maxClients = maxClients;
    }

    /**
     * Reserves a slot.
     *
     * @return false when the limit is reached
     */
    public boolean tryAdmit() {
        while (true) {
            int current = count.get();
            if (current >= maxClients) {
                return false;
            }
            if (count.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** Gives a slot back. */
    public void release() {
        count.decrementAndGet();
    }

    /** Issues a cancel key with a process id no live session uses, and indexes the session by it. */
    CancelKey register(ClientSession session) {
        while (true) {
            int processId = random.nextInt(Integer.MAX_VALUE - 1) + 1;
            if (byProcessId.putIfAbsent(processId, session) == null) {
                return CancelKey.random(processId);
            }
        }
    }

    void unregister(CancelKey key) {
        if (key != null) {
            byProcessId.remove(key.processId());
        }
    }

    /**
     * The session that issued this process id.
     *
     * @param processId the process id from a CancelRequest
     * @return the session, or null
     */
    public ClientSession findByProcessId(int processId) {
        return byProcessId.get(processId);
    }

    /**
     * The number of admitted client connections.
     *
     * @return the count
     */
    public int size() {
        return count.get();
    }

    /**
     * The number of sessions that completed startup and authentication.
     *
     * @return the count
     */
    public int readyCount() {
        return byProcessId.size();
    }

    /**
     * The sessions that completed startup.
     *
     * @return a snapshot
     */
    public Collection<ClientSession> sessions() {
        return List.copyOf(byProcessId.values());
    }
}
