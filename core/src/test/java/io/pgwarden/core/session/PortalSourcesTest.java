package io.pgwarden.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.ProtocolException;
import io.pgwarden.core.protocol.frontend.Bind;
import io.pgwarden.core.protocol.frontend.Close;
import io.pgwarden.core.protocol.frontend.Parse;
import io.pgwarden.spi.Note;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class PortalSourcesTest {

    private final PortalSources sources = new PortalSources();

    /** Feeds one encoded message to the sources, as FrontendPolicy does, and releases it. */
    private void follow(Consumer<ByteBuf> encoder) {
        ByteBuf frame = Unpooled.buffer();
        try {
            encoder.accept(frame);
            sources.follow(frame.getByte(0), frame.slice(5, frame.readableBytes() - 5));
        } finally {
            frame.release();
        }
    }

    private void bind(String portal, String statement, String value) {
        follow(new Bind(portal, statement, List.of(), List.of(value.getBytes(StandardCharsets.UTF_8)), List.of())::encode);
    }

    @Test
    void anExecuteOfANamedStatementBoundAgainKeepsItsTextWithoutANewParse() {
        follow(new Parse("S_1", "SELECT $1", List.of())::encode);
        bind("", "S_1", "first");
        ExecuteView first = sources.execute(null, "");
        bind("", "S_1", "second");
        ExecuteView second = sources.execute(null, "");

        assertThat(first.sql()).isEqualTo("SELECT $1");
        assertThat(first.statementName()).isEqualTo("S_1");
        assertThat(first.parameters()).containsExactly("first");
        assertThat(second.sql()).isEqualTo("SELECT $1");
        assertThat(second.parameters()).containsExactly("second");
    }

    @Test
    void aParseThatRepeatsTheStatementsLastOneIsNotDecodedAgainButAnyDifferenceIs() {
        follow(new Parse("", "SELECT $1", List.of(23))::encode);
        follow(new Bind("", "", List.of(), List.of(), List.of())::encode);
        String first = sources.execute(null, "").sql();

        follow(new Parse("", "SELECT $1", List.of(23))::encode);
        follow(new Bind("", "", List.of(), List.of(), List.of())::encode);
        assertThat(sources.execute(null, "").sql()).as("the same bytes keep the text decoded before").isSameAs(first);

        follow(new Parse("", "SELECT $1", List.of(25))::encode);
        follow(new Bind("", "", List.of(), List.of(), List.of())::encode);
        String retyped = sources.execute(null, "").sql();
        assertThat(retyped).as("other parameter types make a new statement").isEqualTo("SELECT $1").isNotSameAs(first);

        follow(new Parse("S_9", "SELECT $1", List.of(25))::encode);
        follow(new Bind("", "S_9", List.of(), List.of(), List.of())::encode);
        assertThat(sources.execute(null, "").sql()).as("another name is another statement").isNotSameAs(retyped);
    }

    @Test
    void aParseTooLongToKeepIsDecodedEachTime() {
        String longText = "SELECT '" + "x".repeat(PortalSources.MAX_KEPT_BODY) + "'";
        follow(new Parse("", longText, List.of())::encode);
        follow(new Bind("", "", List.of(), List.of(), List.of())::encode);
        String first = sources.execute(null, "").sql();
        follow(new Parse("", longText, List.of())::encode);
        follow(new Bind("", "", List.of(), List.of(), List.of())::encode);
        assertThat(sources.execute(null, "").sql()).isEqualTo(longText).isNotSameAs(first);
    }

    @Test
    void aMalformedRepeatOfAGoodParseIsStillRefused() {
        follow(new Parse("", "SELECT 1", List.of())::encode);
        ByteBuf frame = Unpooled.buffer();
        try {
            new Parse("", "SELECT 1", List.of()).encode(frame);
            ByteBuf cut = frame.slice(5, frame.readableBytes() - 5 - 1);
            assertThatThrownBy(() -> sources.follow(MessageType.PARSE, cut)).isInstanceOf(ProtocolException.class);
        } finally {
            frame.release();
        }
    }

    @Test
    void anExecuteTellsWhichParametersAreNullFromItsBind() {
        follow(new Parse("", "SELECT $1, $2", List.of())::encode);
        follow(new Bind("", "", List.of(), Arrays.asList("v".getBytes(StandardCharsets.UTF_8), null), List.of())::encode);
        ExecuteView execute = sources.execute(null, "");

        assertThat(execute.parameterIsNull(0)).isFalse();
        assertThat(execute.parameterIsNull(1)).isTrue();
        assertThatThrownBy(() -> execute.parameterIsNull(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> sources.execute(null, "unknown").parameterIsNull(0))
                .as("a portal the proxy did not see has no parameters").isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void theUnnamedStatementIsReplacedByTheNextParse() {
        follow(new Parse("", "SELECT 1", List.of())::encode);
        follow(new Parse("", "SELECT 2", List.of())::encode);
        follow(new Bind("", "", List.of(), List.of(), List.of())::encode);
        assertThat(sources.execute(null, "").sql()).isEqualTo("SELECT 2");
        assertThat(sources.execute(null, "").parameterCount()).isZero();
    }

    @Test
    void aClosedStatementOrPortalIsForgotten() {
        follow(new Parse("S_2", "SELECT 3", List.of())::encode);
        bind("C_1", "S_2", "x");
        follow(new Close(Close.PORTAL, "C_1")::encode);
        assertThat(sources.execute(null, "C_1").sql()).as("an unknown portal").isNull();

        follow(new Close(Close.STATEMENT, "S_2")::encode);
        bind("C_2", "S_2", "y");
        assertThat(sources.execute(null, "C_2").sql()).isNull();
        assertThat(sources.execute(null, "C_2").parameters()).containsExactly("y");
    }

    @Test
    void notesAtTheParseGoWithEveryExecuteOfTheStatement() {
        StatementNotes notes = new StatementNotes();
        notes.add(new Note("guard", "checked", "yes"));
        sources.parsed("S_3", "SELECT 4", notes);
        bind("", "S_3", "a");
        assertThat(sources.execute(null, "").statementNotes()).isSameAs(notes);
        bind("", "S_3", "b");
        assertThat(sources.execute(null, "").statementNotes()).isSameAs(notes);
    }

    @Test
    void portalsEndWithTheTransaction() {
        follow(new Parse("", "SELECT 5", List.of())::encode);
        bind("C_3", "", "z");
        sources.transactionEnded();
        assertThat(sources.execute(null, "C_3").sql()).isNull();
    }

    @Test
    void aMalformedBindIsTheClientsProtocolViolation() {
        ByteBuf payload = Unpooled.wrappedBuffer(new byte[] {'p', 0});
        try {
            assertThatThrownBy(() -> sources.follow(MessageType.BIND, payload)).isInstanceOf(ProtocolException.class);
        } finally {
            payload.release();
        }
    }
}
