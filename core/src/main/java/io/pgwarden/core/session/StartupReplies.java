package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.pgwarden.core.protocol.backend.AuthenticationOk;
import io.pgwarden.core.protocol.backend.BackendKeyData;
import io.pgwarden.core.protocol.backend.NegotiateProtocolVersion;
import io.pgwarden.core.protocol.backend.ParameterStatus;
import io.pgwarden.core.protocol.backend.ReadyForQuery;
import io.pgwarden.core.protocol.frontend.StartupMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the proxy itself answers in the protocol's start-up phase, as PostgreSQL would: the refusal
 * of replication connections, NegotiateProtocolVersion when the client asks for more than protocol
 * 3.0, and the run of AuthenticationOk, ParameterStatus, BackendKeyData and ReadyForQuery that lets
 * the client in.
 */
final class StartupReplies {

    private StartupReplies() {
    }

    /** Whether the startup's replication parameter asks for a replication connection. */
    static boolean replicationRequested(Map<String, String> startupParameters) {
        String replication = startupParameters.get("replication");
        return replication != null && !replication.equalsIgnoreCase("false") && !replication.equals("0")
                && !replication.equalsIgnoreCase("off") && !replication.equalsIgnoreCase("no");
    }

    /** Protocol 3.x with x > 0, or {@code _pq_.} options: answer as PostgreSQL does, then go on with 3.0. */
    static void negotiateProtocolVersion(StartupMessage startup, SessionState state, Channel client) {
        int minor = startup.protocolVersion() & 0xFFFF;
        List<String> unsupported = new ArrayList<>();
        for (String name : startup.parameters().keySet()) {
            if (name.startsWith("_pq_.")) {
                unsupported.add(name);
            }
        }
        unsupported.forEach(name -> state.parameters().remove(name));
        if (minor != 0 || !unsupported.isEmpty()) {
            ByteBuf out = client.alloc().buffer();
            new NegotiateProtocolVersion(0, unsupported).encode(out);
            client.write(out, client.voidPromise());
        }
    }

    /** Writes (without flushing) the messages that tell the client it is in and may send queries. */
    static void welcome(Channel client, Map<String, String> parameters, CancelKey key) {
        ByteBuf out = client.alloc().buffer(256);
        AuthenticationOk.INSTANCE.encode(out);
        for (Map.Entry<String, String> parameter : parameters.entrySet()) {
            new ParameterStatus(parameter.getKey(), parameter.getValue()).encode(out);
        }
        new BackendKeyData(key.processId(), key.secret()).encode(out);
        ReadyForQuery.IDLE_INSTANCE.encode(out);
        client.write(out, client.voidPromise());
    }
}
