package io.pgwarden.core.protocol.backend;

import static io.pgwarden.core.protocol.CodecAssertions.assertMessage;
import static io.pgwarden.core.protocol.CodecAssertions.decodeRejects;
import static io.pgwarden.core.protocol.WireBytes.wire;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ParseComplete, BindComplete, CloseComplete, NoData, EmptyQueryResponse, PortalSuspended,
 * ParameterDescription, NotificationResponse.
 */
class ExtendedQueryResponsesTest {

    @Test
    void bodilessResponsesAreTypeAndLengthFour() {
        assertMessage(ParseComplete.INSTANCE, ParseComplete::encode, ParseComplete::decode,
                wire().type('1').int32(4).toArray());
        assertMessage(BindComplete.INSTANCE, BindComplete::encode, BindComplete::decode,
                wire().type('2').int32(4).toArray());
        assertMessage(CloseComplete.INSTANCE, CloseComplete::encode, CloseComplete::decode,
                wire().type('3').int32(4).toArray());
        assertMessage(NoData.INSTANCE, NoData::encode, NoData::decode, wire().type('n').int32(4).toArray());
        assertMessage(EmptyQueryResponse.INSTANCE, EmptyQueryResponse::encode, EmptyQueryResponse::decode,
                wire().type('I').int32(4).toArray());
        assertMessage(PortalSuspended.INSTANCE, PortalSuspended::encode, PortalSuspended::decode,
                wire().type('s').int32(4).toArray());
    }

    @Test
    void parameterDescriptionListsTypeOids() {
        assertMessage(new ParameterDescription(List.of(23, 25)), ParameterDescription::encode,
                ParameterDescription::decode, wire().type('t').int32(4 + 2 + 8).int16(2).int32(23).int32(25).toArray());
        assertMessage(new ParameterDescription(List.of()), ParameterDescription::encode,
                ParameterDescription::decode, wire().type('t').int32(6).int16(0).toArray());
    }

    @Test
    void parameterDescriptionRejectsCountBeyondTheBody() {
        decodeRejects(wire().int16(0xffff).int32(23).toArray(), ParameterDescription::decode);
    }

    @Test
    void notificationResponseWritesProcessChannelAndPayload() {
        assertMessage(new NotificationResponse(99, "jobs", "{\"id\":1}"), NotificationResponse::encode,
                NotificationResponse::decode,
                wire().type('A').int32(4 + 4 + 5 + 9).int32(99).string("jobs").string("{\"id\":1}").toArray());
    }
}
