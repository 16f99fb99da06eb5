package io.pgwarden.spi;

/**
 * Sees and may change each row of a result set it claimed. Created per result set by
 * {@link Interceptor#claimResultSet}, so it may keep state for that result set.
 */
@FunctionalInterface
public interface RowInterceptor {

    /**
     * Called for each DataRow, in order. Values not changed through the context are forwarded
     * as they came.
     *
     * @param row the row, valid during the call only
     */
    void onRow(RowContext row);
}
