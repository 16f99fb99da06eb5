package io.pgwarden.core.pool;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the sessions of one pool did, counted since the pool was created: transactions, queries
 * (one per ReadyForQuery), and the time spent in them and waiting for a server; read by the admin
 * console's {@code SHOW STATS}.
 */
public final class PoolTraffic {

    private final LongAdder transactions = new LongAdder();
    private final LongAdder queries = new LongAdder();
    private final LongAdder transactionNanos = new LongAdder();
    private final LongAdder queryNanos = new LongAdder();
    private final LongAdder waitNanos = new LongAdder();

    /**
     * A query ended (a ReadyForQuery passed to the client).
     *
     * @param nanos how long it ran, from the client's first message to the ReadyForQuery
     */
    public void query(long nanos) {
        queries.increment();
        queryNanos.add(nanos);
    }

    /**
     * A transaction ended (a ReadyForQuery with status idle), autocommit statements included.
     *
     * @param nanos how long it ran, from the client's first message to the ReadyForQuery
     */
    public void transaction(long nanos) {
        transactions.increment();
        transactionNanos.add(nanos);
    }

    /** A session waited this long in the pool's queue. */
    void waited(long nanos) {
        waitNanos.add(nanos);
    }

    /**
     * A snapshot of the counters.
     *
     * @return the totals
     */
    public Totals totals() {
        return new Totals(transactions.sum(), queries.sum(), transactionNanos.sum(), queryNanos.sum(), waitNanos.sum());
    }

    /**
     * The counters of a pool at one moment.
     *
     * @param transactions transactions ended
     * @param queries queries ended
     * @param transactionNanos the time spent in transactions
     * @param queryNanos the time spent in queries
     * @param waitNanos the time sessions spent waiting for a server
     */
    public record Totals(long transactions, long queries, long transactionNanos, long queryNanos, long waitNanos) {

        /**
         * The sum of two snapshots.
         *
         * @param other the other one
         * @return the sum
         */
        public Totals plus(Totals other) {
            return new Totals(transactions + other.transactions, queries + other.queries, transactionNanos + other.transactionNanos,
                    queryNanos + other.queryNanos, waitNanos + other.waitNanos);
        }
    }
}
