package io.pgwarden.scram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
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

    /**
     * Hashes a real PostgreSQL 18.6 server stored (zonky 18.6.0 binaries, psql with client_encoding UTF8):
     * {@code SET password_encryption = 'md5'; CREATE ROLE m_alice PASSWORD U&'p\00e4ssword';
     * CREATE ROLE U&"m_j\00fcrgen" PASSWORD 'secret'; SELECT rolname, rolpassword FROM pg_authid}.
     */
    @Test
    void hashIsWhatPostgresStoresForNonAsciiPasswordsAndUserNames() {
        assertThat(Md5Password.hash("m_alice", "p\u00e4ssword")).isEqualTo("md5812e4109e215b526b3c7dfabc196df6c");
        assertThat(Md5Password.hash("m_j\u00fcrgen", "secret")).isEqualTo("md553d2f0d68c3ec5b85b136220d1a731bf");
        assertThat(Md5Password.hash("postgres", "postgres")).isEqualTo("md53175bce1d3201d16594cebf9d7eb3f9d");
        // The user name salts the hash: the same password hashes differently for another user.
        assertThat(Md5Password.hash("m_bob", "p\u00e4ssword")).isNotEqualTo(Md5Password.hash("m_alice", "p\u00e4ssword"));
    }

    @Test
    void answerFromTheStoredHashEqualsTheAnswerFromThePassword() {
        byte[] salt = {(byte) 0x9a, 0x10, 0, (byte) 0xee};
        assertThat(Md5Password.answerFromHash("md5812e4109e215b526b3c7dfabc196df6c", salt))
                .isEqualTo(Md5Password.answer("m_alice", "p\u00e4ssword", salt))
                .hasSize(Md5Password.HASH_LENGTH)
                .startsWith("md5");
        assertThat(Md5Password.answerFromHash("md53175bce1d3201d16594cebf9d7eb3f9d", new byte[] {1, 2, 3, 4}))
                .isEqualTo("md568be9ed08db75f318087ab337aaea044");
        // Another salt, another answer: a captured answer cannot be replayed.
        assertThat(Md5Password.answerFromHash("md5812e4109e215b526b3c7dfabc196df6c", new byte[] {1, 2, 3, 4}))
                .isNotEqualTo(Md5Password.answerFromHash("md5812e4109e215b526b3c7dfabc196df6c", salt));
    }

    @Test
    void answerFromHashRefusesWhatIsNotAHashWithoutRepeatingIt() {
        for (String bad : List.of("", "postgres", "md5", "md53175bce1d3201d16594cebf9d7eb3f9", "md53175bce1d3201d16594cebf9d7eb3f9d0",
                "MD53175bce1d3201d16594cebf9d7eb3f9d", "md53175bce1d3201d16594cebf9d7eb3f9g",
                "md53175BCE1D3201D16594CEBF9D7EB3F9D",
                "SCRAM-SHA-256$4096:c2FsdA==$a:b")) {
            assertThatThrownBy(() -> Md5Password.answerFromHash(bad, new byte[4])).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("not an md5 password hash");
        }
        assertThatThrownBy(() -> Md5Password.answerFromHash("md53175bce1d3201d16594cebf9d7eb3f9d", new byte[5]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("md5 salt must be 4 bytes, got 5");
    }

    @Test
    void isHashWantsMd5AndExactly32LowerCaseAsciiHexDigits() {
        assertThat(Md5Password.isHash("md53175bce1d3201d16594cebf9d7eb3f9d")).isTrue();
        assertThat(Md5Password.isHash("md5" + "0".repeat(32))).isTrue();
        assertThat(Md5Password.isHash("md5" + "0123456789abcdef".repeat(2))).isTrue();
        // PostgreSQL's get_password_type wants lower case, and the answer is computed from the hash's text.
        assertThat(Md5Password.isHash("md5" + "F".repeat(32))).isFalse();
        assertThat(Md5Password.isHash(null)).isFalse();
        assertThat(Md5Password.isHash("")).isFalse();
        assertThat(Md5Password.isHash("md5")).isFalse();
        assertThat(Md5Password.isHash("md5" + "0".repeat(31))).isFalse();
        assertThat(Md5Password.isHash("md5" + "0".repeat(33))).isFalse();
        assertThat(Md5Password.isHash("MD5" + "0".repeat(32))).isFalse();
        assertThat(Md5Password.isHash("md4" + "0".repeat(32))).isFalse();
        assertThat(Md5Password.isHash("md5" + "0".repeat(31) + "g")).isFalse();
        assertThat(Md5Password.isHash("md5" + "0".repeat(31) + " ")).isFalse();
        // Character.digit accepts non-ASCII digits; a hash is ASCII only.
        assertThat(Md5Password.isHash("md5" + "0".repeat(31) + "\u0663")).isFalse();
        assertThat(Md5Password.isHash("md5" + "0".repeat(31) + "\uff41")).isFalse();
        // A plaintext password that happens to be 35 characters is not mistaken for a hash.
        assertThat(Md5Password.isHash("my-password-is-thirty-five-chars-xx")).isFalse();
    }

    @Test
    void nullArgumentsAreRefused() {
        assertThatThrownBy(() -> Md5Password.hash(null, "p")).isInstanceOf(NullPointerException.class).hasMessage("user");
        assertThatThrownBy(() -> Md5Password.hash("u", null)).isInstanceOf(NullPointerException.class).hasMessage("password");
    }
}
