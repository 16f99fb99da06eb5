package io.pgwarden.scram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class Md5PasswordTest {

    @Test
    void answerIsMd5OfTheStoredHashAndTheSalt() {
        // Stored hash of postgres/postgres is the well-known md53175bce1d3201d16594cebf9d7eb3f9d.
        assertThat(Md5Password.answer("postgres", "postgres", new byte[] {1, 2, 3, 4}))
                .isEqualTo("md568be9ed08db75f318087ab337aaea044");
    }

    @Test
    void nonAsciiPasswordsAreHashedAsUtf8AndSaltBytesAsRawBytes() {
        assertThat(Md5Password.answer("alice", "p\u00e4ssword", new byte[] {(byte) 0xff, 0, 0x7f, (byte) 0x80}))
                .isEqualTo("md596e701eed892d9ac6ec533ff74d24bc1");
    }

    @Test
    void saltOfTheWrongLengthIsRefused() {
        assertThatThrownBy(() -> Md5Password.answer("u", "p", new byte[3])).isInstanceOf(IllegalArgumentException.class);
    }
}
