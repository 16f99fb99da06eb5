package io.pgwarden.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class CancelRequestTest {

    private static RawMessage keyData(int pid, byte... key) {
        return new RawMessage('K', ByteBuffer.allocate(4 + key.length).putInt(pid).put(key).array());
    }

    @Test
    void bytesAreLengthCodeProcessIdAndKey() {
        byte[] bytes = new CancelRequest(4242, new byte[] {1, 2, 3, 4}).bytes();

        assertThat(bytes).containsExactly(0, 0, 0, 16, 0x04, (byte) 0xD2, 0x16, 0x2E, 0, 0, 0x10, (byte) 0x92, 1, 2, 3, 4);
    }

    @Test
    void longKeyOfProtocol32ChangesTheLength() {
        byte[] key = new byte[32];
        key[31] = 9;
        ByteBuffer bytes = ByteBuffer.wrap(new CancelRequest(7, key).bytes());

        assertThat(bytes.getInt()).isEqualTo(44);
        assertThat(bytes.getInt()).isEqualTo(CancelRequest.CODE);
        assertThat(bytes.getInt()).isEqualTo(7);
        assertThat(bytes.remaining()).isEqualTo(32);
        assertThat(bytes.get(43)).isEqualTo((byte) 9);
    }

    @Test
    void keyComesFromTheBackendKeyDataOfALogin() {
        List<RawMessage> login = List.of(new RawMessage('R', new byte[4]), keyData(99, new byte[] {5, 6, 7, 8}),
                new RawMessage('Z', new byte[] {'I'}));

        assertThat(CancelRequest.fromLogin(login)).isEqualTo(new CancelRequest(99, new byte[] {5, 6, 7, 8}));
    }

    @Test
    void loginWithoutBackendKeyDataIsAnError() {
        assertThatThrownBy(() -> CancelRequest.fromLogin(List.of(new RawMessage('Z', new byte[] {'I'}))))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void keyIsCopiedInAndOut() {
        byte[] key = {1, 2, 3, 4};
        CancelRequest request = new CancelRequest(1, key);
        key[0] = 9;
        request.secretKey()[1] = 9;

        assertThat(request.secretKey()).containsExactly(1, 2, 3, 4);
    }

    @Test
    void toStringLeavesTheKeyOut() {
        assertThat(new CancelRequest(12, new byte[] {0x7A, 0x7B, 0x7C, 0x7D})).hasToString(
                "CancelRequest[processId=12, secretKey=4 bytes]");
    }
}
