package io.pgwarden.plugin.oidc;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How many sessions each person and each limited group hold now, for one plugin entry. A session
 * takes its slots all together or none ({@link #acquire}) and gives them back through the
 * {@link Lease} it got, once.
 *
 * <p>Sessions authenticate and end on several event loops at once, so every change happens under
 * this object's lock: a handful of map operations, nothing that waits. A count that falls to zero
 * is removed, so the maps hold only people and groups with a session now.
 */
final class SessionCounts {

    private final Map<String, Integer> people = new HashMap<>();
    private final Map<String, Integer> groups = new HashMap<>();

    /** A group the session counts against, with that group's limit. */
    record GroupLimit(String group, int max) {
        /** Checks for null. */
        GroupLimit {
            Objects.requireNonNull(group, "group");
        }
    }

    /** What {@link #acquire} found. */
    sealed interface Result permits Granted, Full {
    }

    /**
     * The session holds its slots until it releases the lease.
     *
     * @param lease gives the slots back
     */
    record Granted(Lease lease) implements Result {
    }

    /**
     * A limit is reached; no slot was taken.
     *
     * @param group the group whose limit is reached, or null for the person's own limit
     * @param max that limit
     */
    record Full(String group, int max) implements Result {
    }

    /**
     * Takes one slot of the person and one of each group, or none when any of them is full.
     *
     * @param person the person's key (issuer and subject)
     * @param personMax the person's limit; 0 = no limit (the person is counted all the same)
     * @param limitedGroups the session's groups that have a limit, each once
     * @return granted with the lease, or the first full limit (the person's before the groups')
     */
    synchronized Result acquire(String person, int personMax, List<GroupLimit> limitedGroups) {
        Objects.requireNonNull(person, "person");
        if (personMax > 0 && people.getOrDefault(person, 0) >= personMax) {
            return new Full(null, personMax);
        }
        for (GroupLimit limit : limitedGroups) {
            if (groups.getOrDefault(limit.group(), 0) >= limit.max()) {
                return new Full(limit.group(), limit.max());
            }
        }
        people.merge(person, 1, Integer::sum);
        List<String> taken = limitedGroups.stream().map(GroupLimit::group).toList();
        for (String group : taken) {
            groups.merge(group, 1, Integer::sum);
        }
        return new Granted(new Lease(this, person, taken));
    }

    /**
     * The sessions the person holds now.
     *
     * @param person the person's key
     * @return the count
     */
    synchronized int person(String person) {
        return people.getOrDefault(person, 0);
    }

    /**
     * The sessions the group's people hold now, counted since the group has a limit.
     *
     * @param group the group
     * @return the count
     */
    synchronized int group(String group) {
        return groups.getOrDefault(group, 0);
    }

    private synchronized void release(Lease lease) {
        if (lease.released) {
            return;
        }
        lease.released = true;
        decrement(people, lease.person);
        for (String group : lease.groups) {
            decrement(groups, group);
        }
    }

    private static void decrement(Map<String, Integer> counts, String key) {
        counts.computeIfPresent(key, (ignored, count) -> count > 1 ? count - 1 : null);
    }

    /** The slots one session holds. Releasing it a second time changes nothing. */
    static final class Lease {
        private final SessionCounts counts;
        private final String person;
        private final List<String> groups;
        /** Guarded by the lock of {@link #counts}. */
        private boolean released;

        private Lease(SessionCounts counts, String person, List<String> groups) {
            this.counts = counts;
            this.person = person;
            this.groups = List.copyOf(groups);
        }

        /** Gives the slots back. */
        void release() {
            counts.release(this);
        }
    }
}
