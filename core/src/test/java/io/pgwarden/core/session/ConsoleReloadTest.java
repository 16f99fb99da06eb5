package io.pgwarden.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgwarden.core.config.ReloadOutcome;
import io.pgwarden.core.protocol.backend.CommandComplete;
import io.pgwarden.core.protocol.backend.ErrorResponse;
import io.pgwarden.core.protocol.backend.NoticeResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The console's reply to RELOAD, as the bytes a client reads. */
class ConsoleReloadTest {

    /** Reads the next message: its type byte, and its payload as a slice of {@code in}. */
    private static ByteBuf next(ByteBuf in, char expectedType) {
        assertThat((char) in.readByte()).isEqualTo(expectedType);
        int length = in.readInt();
        return in.readSlice(length - 4);
    }

    @Test
    void appliedReloadCompletesWithTheTagReload() {
        ByteBuf out = Unpooled.buffer();
        try {
            ConsoleReload.reply(new ReloadOutcome.Applied(List.of("pool"), List.of()), null, out);

            assertThat(CommandComplete.decode(next(out, 'C')).tag()).isEqualTo("RELOAD");
            assertThat(out.isReadable()).isFalse();
        } finally {
            out.release();
        }
    }

    @Test
    void settingsThatNeedARestartAreNamedInAWarningBeforeTheTag() {
        ByteBuf out = Unpooled.buffer();
        try {
            ConsoleReload.reply(new ReloadOutcome.Applied(List.of(), List.of("listen.port", "admin.http")), null, out);

            NoticeResponse notice = NoticeResponse.decode(next(out, 'N'));
            assertThat(notice.sqlState()).isEqualTo("01000");
            assertThat(notice.message()).endsWith("listen.port, admin.http");
            assertThat(CommandComplete.decode(next(out, 'C')).tag()).isEqualTo("RELOAD");
        } finally {
            out.release();
        }
    }

    @Test
    void rejectedReloadIsAConfigFileErrorListingEveryProblem() {
        ByteBuf out = Unpooled.buffer();
        try {
            ConsoleReload.reply(new ReloadOutcome.Rejected(List.of("pool.size: expected 1-10000, found 0",
                    "backends.primary.port: expected a port")), null, out);

            ErrorResponse error = ErrorResponse.decode(next(out, 'E'));
            assertThat(error.sqlState()).isEqualTo("F0000");
            assertThat(error.message()).contains("pool.size: expected 1-10000, found 0").contains("backends.primary.port");
            assertThat(out.isReadable()).as("no CommandComplete after the error").isFalse();
        } finally {
            out.release();
        }
    }

    @Test
    void failedReloadIsAnInternalError() {
        ByteBuf out = Unpooled.buffer();
        try {
            ConsoleReload.reply(null, new IllegalStateException("boom"), out);

            assertThat(ErrorResponse.decode(next(out, 'E')).sqlState()).isEqualTo("XX000");
        } finally {
            out.release();
        }
    }
}
