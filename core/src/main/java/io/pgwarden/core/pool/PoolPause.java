package io.pgwarden.core.pool;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which databases the admin console paused ({@code PAUSE [db]}): a paused pool hands out no server
 * and opens none; its sessions wait until {@code RESUME}.
 */
final class PoolPause {

    private final Set<String> databases = ConcurrentHashMap.newKeySet();
    private volatile boolean all;

    /**
     * Pauses one database, or all of them.
     *
     * @param database the database, or null for all
     */
    void pause(String database) {
        if (database == null) {
            all = true;
        } else {
            databases.add(database);
        }
    }

    /**
     * Resumes one database, or all of them (which also lifts every single database's pause).
     *
     * @param database the database, or null for all
     * @return false when nothing was paused
     */
    boolean resume(String database) {
        if (database == null) {
            boolean was = all || !databases.isEmpty();
            all = false;
            databases.clear();
            return was;
        }
        return databases.remove(database);
    }

    /**
     * Whether a database is paused, on its own or by a pause of all.
     *
     * @param database the database
     * @return true when paused
     */
    boolean paused(String database) {
        return all || !databases.isEmpty() && databases.contains(database);
    }
}
