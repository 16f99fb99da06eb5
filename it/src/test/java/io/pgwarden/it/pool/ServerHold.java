package io.pgwarden.it.pool;

import io.pgwarden.testkit.ProxyFixture;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * A client that keeps one server connection of a transaction pool busy in an open transaction, so that every
 * other client's next transaction must run on another server. With a pool of size 2 this decides which server a
 * client gets, without relying on how the pool picks among idle servers.
 */
final class ServerHold implements AutoCloseable {

    private final Connection connection;
    private final int pid;

    private ServerHold(Connection connection, int pid) {
        this.connection = connection;
        this.pid = pid;
    }

    /** Opens a client and starts a transaction on whichever server the pool gives it. */
    static ServerHold begin(ProxyFixture proxy) throws SQLException {
        Connection connection = PoolBackend.connect(proxy, "");
        try {
            connection.setAutoCommit(false);
            return new ServerHold(connection, PoolBackend.backendPid(connection));
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** The backend pid of the held server. */
    int pid() {
        return pid;
    }

    /** Commits, which gives the server back to the pool. */
    void release() throws SQLException {
        connection.commit();
    }

    /** Rolls back if still in the transaction and disconnects. */
    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
