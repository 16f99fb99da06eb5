package io.pgwarden.core.server;

import io.pgwarden.core.frontend.ClientTls;
import io.pgwarden.core.session.ProxyRuntime;
import java.util.Objects;

/**
 * What a new client connection gets: the TLS set-up for its handshake and the runtime for its
 * session. A reload installs a new generation; connections already open keep theirs.
 *
 * @param runtime the shared runtime of new sessions
 * @param tls the client TLS of new handshakes
 */
record Generation(ProxyRuntime runtime, ClientTls tls) {

    Generation {
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(tls, "tls");
    }
}
