package io.pgwarden.plugin.oidc;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per role name inside this pgwarden, so that simultaneous logins of one person wait here, one after
 * the other, instead of each holding an admin connection while PostgreSQL's advisory lock makes them wait. A
 * lock lives while somebody holds or waits for it, so the map holds only the people logging in right now.
 */
final class RoleLocks {

    private final ConcurrentMap<String, Entry> locks = new ConcurrentHashMap<>();

    /** Work done under a role's lock. */
    @FunctionalInterface
    interface Locked<T, E extends Exception> {
        /** Runs with the lock held. */
        T run() throws E;
    }

    /**
     * Runs {@code work} while holding the lock of {@code role}.
     *
     * @param role the role name
     * @param work the work
     * @param <T> its result
     * @param <E> what it may throw
     * @return what {@code work} returned
     * @throws E what {@code work} threw
     */
    <T, E extends Exception> T withLock(String role, Locked<T, E> work) throws E {
        Objects.requireNonNull(role, "role");
        Entry entry = locks.compute(role, (name, current) -> {
            Entry taken = current == null ? new Entry() : current;
            taken.users++;
            return taken;
        });
        entry.lock.lock();
        try {
            return work.run();
        } finally {
            entry.lock.unlock();
            locks.compute(role, (name, current) -> --current.users == 0 ? null : current);
        }
    }

    /** How many roles have a lock now; for tests. */
    int size() {
        return locks.size();
    }

    /** A lock and how many threads hold or wait for it; changed only inside the map's compute. */
    private static final class Entry {
        private final ReentrantLock lock = new ReentrantLock();
        private int users;
    }
}
