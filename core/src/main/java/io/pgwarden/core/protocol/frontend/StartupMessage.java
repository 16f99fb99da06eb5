package io.pgwarden.core.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.PgBuffers;
import io.pgwarden.core.protocol.ProtocolException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * StartupMessage: the protocol version the client wants and its parameters ({@code user},
 * {@code database}, {@code options}, {@code replication}, {@code _pq_.*} protocol options and
 * run-time settings), in the order sent.
 *
 * <p>Decoding accepts any 3.x minor version (answering a newer one with NegotiateProtocolVersion is
 * the caller's job) and refuses empty or repeated parameter names: a name given twice could be read
 * one way by the proxy and another way by a server.
 */
public record StartupMessage(int protocolVersion, Map<String, String> parameters) implements StartupPacket {

    /** Protocol 3.0: 3 in the high 16 bits, 0 in the low 16 bits. */
    public static final int PROTOCOL_3_0 = 3 << 16;
    /** Protocol 3.2 (PostgreSQL 18). */
    public static final int PROTOCOL_3_2 = (3 << 16) | 2;
    /** The newest minor version of protocol 3 this codec knows. */
    public static final int NEWEST_MINOR_VERSION = 2;

    private static final String NAME = "StartupMessage";

    /** Copies {@code parameters} keeping their order; the map is unmodifiable. */
    public StartupMessage {
        Objects.requireNonNull(parameters, "parameters");
        parameters.forEach((name, value) -> {
            Objects.requireNonNull(name, "parameter name");
            Objects.requireNonNull(value, "value of parameter " + name);
        });
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** The high 16 bits of the version. */
    public int majorVersion() {
        return protocolVersion >>> 16;
    }

    /** The low 16 bits of the version. */
    public int minorVersion() {
        return protocolVersion & 0xffff;
    }

    static StartupMessage decodeBody(int protocolVersion, ByteBuf body) {
        Map<String, String> parameters = new LinkedHashMap<>();
        while (true) {
            if (!body.isReadable()) {
                throw ProtocolException.malformed(NAME, "missing terminator after the last parameter");
            }
            String name = PgBuffers.readCString(body, NAME);
            if (name.isEmpty()) {
                break;
            }
            String value = PgBuffers.readCString(body, NAME);
            if (parameters.putIfAbsent(name, value) != null) {
                throw ProtocolException.malformed(NAME, "parameter \"" + name + "\" given twice");
            }
        }
        PgBuffers.requireEnd(body, NAME);
        return new StartupMessage(protocolVersion, parameters);
    }

    @Override
    public void encode(ByteBuf out) {
        int lengthIndex = PgBuffers.beginPacket(out);
        out.writeInt(protocolVersion);
        parameters.forEach((name, value) -> {
            if (name.isEmpty()) {
                throw new IllegalArgumentException("a startup parameter name cannot be empty");
            }
            PgBuffers.writeCString(out, name);
            PgBuffers.writeCString(out, value);
        });
        out.writeByte(0);
        PgBuffers.endMessage(out, lengthIndex);
    }

    /** Parameter names only: values such as {@code options} may carry secrets. */
    @Override
    public String toString() {
        return "StartupMessage[version=" + majorVersion() + "." + minorVersion()
                + ", parameters=" + parameters.keySet() + "]";
    }
}
