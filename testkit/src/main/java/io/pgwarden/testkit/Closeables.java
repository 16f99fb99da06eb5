package io.pgwarden.testkit;

/** Closes a test's resources in order, each even when an earlier one fails. */
public final class Closeables {

    private Closeables() {
    }

    /**
     * Closes every resource that is not null, in the order given.
     *
     * @param resources the resources; nulls (never started) are skipped
     * @throws Exception the first failure, with later ones suppressed
     */
    public static void closeAll(AutoCloseable... resources) throws Exception {
        Exception first = null;
        for (AutoCloseable resource : resources) {
            if (resource == null) {
                continue;
            }
            try {
                resource.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
