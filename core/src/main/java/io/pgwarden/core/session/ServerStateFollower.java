package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.PgBuffers;
import io.pgwarden.core.protocol.backend.CommandComplete;
import io.pgwarden.core.protocol.backend.ParameterStatus;

/**
 * Follows, for the pool, what a pooled server reports of its session state as the messages pass:
 * ParameterStatus (a setting changed, which the client now expects from any server it gets) and the
 * command tags of DEALLOCATE ALL, DISCARD ALL and RESET (which end what the pool knows of the
 * server's prepared statements and settings).
 */
final class ServerStateFollower {

    private final ServerAttachment attachment;
    /** Named statements mapped per server (transaction mode), or null. */
    private final StatementMap statements;

    ServerStateFollower(ServerAttachment attachment) {
        this.attachment = attachment;
        this.statements = attachment.statements();
    }

    /** A setting changed on the server: the client now expects it from any server it gets. */
    void parameterStatus(ByteBuf frame) {
        ParameterStatus status = ParameterStatus.decode(PgBuffers.payload(frame));
        var server = attachment.server();
        if (server != null) {
            server.reported().put(status.name(), status.value());
        }
        if (attachment.settings() != null) {
            attachment.settings().changed(status.name(), status.value());
        }
    }

    /** Commands that end what the pool knows of the server's session state. */
    void commandTag(ByteBuf frame) {
        int length = frame.readableBytes() - 5;
        if (length != 15 && length != 12 && length != 6) {
            return; // DEALLOCATE ALL, DISCARD ALL, RESET (with their terminators)
        }
        String tag = CommandComplete.decode(PgBuffers.payload(frame)).tag();
        var server = attachment.server();
        if (server == null) {
            return;
        }
        switch (tag) {
            case "DEALLOCATE ALL" -> {
                server.statementsDeallocated();
                if (statements != null) {
                    statements.clear();
                }
            }
            case "DISCARD ALL" -> {
                server.statementsDeallocated();
                server.sessionReset();
                if (statements != null) {
                    statements.clear();
                }
            }
            case "RESET" -> server.sessionReset();
            default -> {
            }
        }
    }
}
