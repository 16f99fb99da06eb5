package io.pgwarden.scram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScramVerifierTest {

    /**
     * A password and the verifier a real PostgreSQL 18.6 server stored for it. Produced once with the
     * zonky 18.6.0 binaries the build uses (initdb, then psql with client_encoding UTF8):
     * <pre>
     * SET password_encryption = 'scram-sha-256';
     * CREATE ROLE f_umlaut PASSWORD U&amp;'p\00e4ssw\00f6rd';   -- and so on, one role per password below
     * SET scram_iterations = 10000;                          -- for the 10000 and 1 iteration fixtures
     * SELECT rolname, rolpassword FROM pg_authid WHERE rolname LIKE 'f\_%';
     * </pre>
     * {@code CREATE ROLE ... PASSWORD ''} stores no password at all ("empty string is not a valid
     * password, clearing password"), so the shortest password here is one space.
     */
    private record Fixture(String name, String password, String verifier) {
    }

    private static final List<Fixture> POSTGRES_18 = List.of(
            new Fixture("ascii", "pencil",
                    "SCRAM-SHA-256$4096:ZWdwRGVz7ZMwW0Kwt3xHDg==$ed9I5dIZCA0kWt5TkL5rH9hNAxFvQvNmJBkydex4HUA="
                            + ":f/1tmvVhWKseRKUNlvez8OgHM4cAQW+e4fzH2eLhUew="),
            new Fixture("umlauts, unchanged by SASLprep", "p\u00e4ssw\u00f6rd",
                    "SCRAM-SHA-256$4096:DVTwTdStKTPsLm+92lbEZw==$Q5mVqbhdtLpz1TTu4pXM/ffh2zY6raje/eW73vagFjA="
                            + ":C7nw+R2t2LCs61uPMlNUiU1Kw/qEVI+upbCz1Y59oDQ="),
            new Fixture("roman numeral nine, NFKC to IX", "\u2168",
                    "SCRAM-SHA-256$4096:LLdGg+YJgWa2KH5HgNir/g==$khR74DJk+3TsZck/B9fbMB7kJI9fFo8lbx8CaPziZck="
                            + ":Xtf2UzEXDRI+VfXT1dOV4HYv3zF2/SOjdjUxf1o/GRE="),
            new Fixture("soft hyphen, mapped to nothing", "I\u00adX",
                    "SCRAM-SHA-256$4096:wR/lVSWx3l+pY4XsTwXCeQ==$ao9+HzI+jHN2n15JiAh8kpx3/mwanU1kEyJHc1dz1eQ="
                            + ":S8RyPH4YyJJU0LYGCn+jzIiYENEslpDAUTPax8amdro="),
            new Fixture("only a soft hyphen, which SASLprep would empty", "\u00ad",
                    "SCRAM-SHA-256$4096:OwyivEJ7r6vQqQM95KuWMg==$ciuhZS8rVmqCG0tinhflobzTN9vC8MjziMNPoMvxkIE="
                            + ":+gKJtDJo5s2Dmai/I502KYCjPqmddGOfaU6TW/1W/P8="),
            new Fixture("one space", " ",
                    "SCRAM-SHA-256$4096:tqeR55iQl6DIPbOzY0E5Ew==$ojvpV9YTIQg+dyKiEuG4lGbt+KjtfuBXgTkC9lXeuUk="
                            + ":IxhkVBum3mn6iBC2QuEgEEfelvpk+KqLhlrA2Acexxs="),
            new Fixture("prohibited control character, used as is", "\u00e9\u0007",
                    "SCRAM-SHA-256$4096:64E2kKQfkvJUan6CBp68/A==$CRLeWGdPNzTfA7lbO1yMg/l2U+mYuf5HO1Jh+mO6C/0="
                            + ":jGVGgyb5Zsj2TwzaoJgTXaaCSolGvVpg4ghngWSFwSk="),
            new Fixture("outside the BMP", "\ud83d\udd11 key",
                    "SCRAM-SHA-256$4096:OPpttz9sWjfP9R/ZyzI8YA==$EaOun8Rulm/70KJ7p0SulFMuWYm/SQ/yGLPeUzI49OU="
                            + ":/Led7NL76tLVtx9hpyB6UlutFmVVlNEiStv33GFPsBQ="),
            new Fixture("quote and backslash", "it's a \\ test",
                    "SCRAM-SHA-256$4096:h0z0S3JPD/4I24Kbcsnz1Q==$7kNV43ajRQufXtCAdoMwnxYhKMpryeJr8racGqYdLfU="
                            + ":ISa0tfnR1At8+BP+KRbxH9MEv8/Fj+5V/Lzz+9nZctg="),
            new Fixture("scram_iterations = 10000", "correct horse battery staple",
                    "SCRAM-SHA-256$10000:IwMy3N1ZK+filFu/bCL7dQ==$VkZxtPmxJLQiTcozwSpN07FaqUzRsXEW13rZInByRNU="
                            + ":tCQzsuP4Fa9hgqEdLMoVS50mHHACcHuqn7r/kdVhdrQ="),
            new Fixture("scram_iterations = 1", "pencil",
                    "SCRAM-SHA-256$1:AiIVP3nm2CeKP9MUi0EYEw==$1eizqDGSeEQeGCofxM9Kn5+/XPWnNDkEgalZXq6YkyY="
                            + ":uaiaC/88RF9hkSCZdOhTzGICN1+6FbLLsaxY7oHJUf8="));

    private static final String PENCIL = POSTGRES_18.get(0).verifier();
    private static final String SALT = "ZWdwRGVz7ZMwW0Kwt3xHDg==";
    private static final String STORED_KEY = "ed9I5dIZCA0kWt5TkL5rH9hNAxFvQvNmJBkydex4HUA=";
    private static final String SERVER_KEY = "f/1tmvVhWKseRKUNlvez8OgHM4cAQW+e4fzH2eLhUew=";

    @Test
    void postgresVerifiersParseAndEncodeToTheSameText() {
        for (Fixture fixture : POSTGRES_18) {
            assertThat(ScramVerifier.parse(fixture.verifier()).encode()).as(fixture.name()).isEqualTo(fixture.verifier());
        }
        ScramVerifier pencil = ScramVerifier.parse(PENCIL);
        assertThat(pencil.iterations()).isEqualTo(4096);
        assertThat(pencil.salt()).isEqualTo(Base64.getDecoder().decode(SALT));
        assertThat(pencil.storedKey()).isEqualTo(Base64.getDecoder().decode(STORED_KEY));
        assertThat(pencil.serverKey()).isEqualTo(Base64.getDecoder().decode(SERVER_KEY));
    }

    @Test
    void derivingWithThePostgresSaltAndIterationsGivesThePostgresText() {
        for (Fixture fixture : POSTGRES_18) {
            ScramVerifier server = ScramVerifier.parse(fixture.verifier());
            assertThat(ScramVerifier.derive(fixture.password(), server.salt(), server.iterations()).encode())
                    .as(fixture.name()).isEqualTo(fixture.verifier());
        }
    }

    @Test
    void postgresVerifiersMatchTheirPasswordOnly() {
        for (Fixture fixture : POSTGRES_18) {
            ScramVerifier verifier = ScramVerifier.parse(fixture.verifier());
            assertThat(verifier.matchesPassword(fixture.password())).as(fixture.name()).isTrue();
            assertThat(verifier.matchesPassword(fixture.password() + "x")).as(fixture.name()).isFalse();
            assertThat(verifier.matchesPassword("")).as(fixture.name()).isFalse();
        }
        assertThat(ScramVerifier.parse(PENCIL).matchesPassword("Pencil")).isFalse();
    }

    @Test
    void saslPrepMakesEquivalentPasswordsMatchLikePostgres() {
        assertThat(ScramVerifier.parse(fixture("roman numeral nine, NFKC to IX")).matchesPassword("IX")).isTrue();
        assertThat(ScramVerifier.parse(fixture("soft hyphen, mapped to nothing")).matchesPassword("IX")).isTrue();
        // A decomposed u-umlaut is NFKC-normalized to the composed one the server was given.
        assertThat(ScramVerifier.parse(fixture("umlauts, unchanged by SASLprep")).matchesPassword("pa\u0308ssw\u00f6rd")).isTrue();
        // An empty SASLprep result is not used: the password counts as is, not as "".
        assertThat(ScramVerifier.parse(fixture("only a soft hyphen, which SASLprep would empty")).matchesPassword("")).isFalse();
    }

    private static String fixture(String name) {
        return POSTGRES_18.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow().verifier();
    }

    @Test
    void clientKeyFromThePasswordMatchesInConstantTimeAndNothingElseDoes() {
        ScramVerifier verifier = ScramVerifier.parse(PENCIL);
        byte[] salted = ScramSha256.hi("pencil".getBytes(StandardCharsets.UTF_8), verifier.salt(), verifier.iterations());
        byte[] clientKey = ScramSha256.clientKey(salted);

        assertThat(verifier.matchesClientKey(clientKey)).isTrue();
        byte[] flipped = clientKey.clone();
        flipped[31] ^= 1;
        assertThat(verifier.matchesClientKey(flipped)).isFalse();
        assertThat(verifier.matchesClientKey(Arrays.copyOf(clientKey, 31))).isFalse();
        assertThat(verifier.matchesClientKey(Arrays.copyOf(clientKey, 33))).isFalse();
        assertThat(verifier.matchesClientKey(new byte[0])).isFalse();
        // StoredKey itself is not a ClientKey.
        assertThat(verifier.matchesClientKey(verifier.storedKey())).isFalse();
    }

    @Test
    void generateUsesANewSixteenByteSaltEachTimeAndRoundTrips() {
        ScramVerifier first = ScramVerifier.generate("pencil", ScramVerifier.DEFAULT_ITERATIONS);
        ScramVerifier second = ScramVerifier.generate("pencil", ScramVerifier.DEFAULT_ITERATIONS);

        assertThat(first.salt()).hasSize(ScramVerifier.SALT_LENGTH);
        assertThat(first.salt()).isNotEqualTo(second.salt());
        assertThat(first.encode()).isNotEqualTo(second.encode()).startsWith("SCRAM-SHA-256$4096:");
        assertThat(ScramVerifier.parse(first.encode())).isEqualTo(first).hasSameHashCodeAs(first).isNotEqualTo(second);
        assertThat(first.matchesPassword("pencil")).isTrue();
        assertThat(second.matchesPassword("pencil")).isTrue();
        assertThat(ScramVerifier.generate("pencil", 1).iterations()).isEqualTo(1);
    }

    @Test
    void accessorsReturnCopies() {
        ScramVerifier verifier = ScramVerifier.parse(PENCIL);
        verifier.salt()[0] ^= 1;
        verifier.storedKey()[0] ^= 1;
        verifier.serverKey()[0] ^= 1;
        assertThat(verifier.encode()).isEqualTo(PENCIL);

        byte[] salt = verifier.salt();
        byte[] stored = verifier.storedKey();
        byte[] server = verifier.serverKey();
        ScramVerifier built = new ScramVerifier(4096, salt, stored, server);
        salt[0] ^= 1;
        stored[0] ^= 1;
        server[0] ^= 1;
        assertThat(built.encode()).isEqualTo(PENCIL);
    }

    @Test
    void toStringNeverShowsSaltOrKeys() {
        String text = ScramVerifier.parse(PENCIL).toString();
        assertThat(text).isEqualTo("ScramVerifier[iterations=4096, keys=***]");
        assertThat(text).doesNotContain(SALT, STORED_KEY, SERVER_KEY);
    }

    @Test
    void isVerifierLooksAtThePrefixOnly() {
        assertThat(ScramVerifier.isVerifier(PENCIL)).isTrue();
        assertThat(ScramVerifier.isVerifier("SCRAM-SHA-256$")).isTrue();
        assertThat(ScramVerifier.isVerifier("md53175bce1d3201d16594cebf9d7eb3f9d")).isFalse();
        assertThat(ScramVerifier.isVerifier("scram-sha-256$4096:a$b:c")).isFalse();
        assertThat(ScramVerifier.isVerifier("")).isFalse();
        assertThat(ScramVerifier.isVerifier(null)).isFalse();
    }

    private static final String FORM = "a SCRAM verifier has the form SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>";

    @Test
    void wrongPrefixIsRefused() {
        for (String text : List.of("", "pencil", "md53175bce1d3201d16594cebf9d7eb3f9d",
                "scram-sha-256$4096:" + SALT + "$" + STORED_KEY + ":" + SERVER_KEY,
                "SCRAM-SHA-1$4096:" + SALT + "$" + STORED_KEY + ":" + SERVER_KEY,
                "SCRAM-SHA-256:4096:" + SALT + "$" + STORED_KEY + ":" + SERVER_KEY,
                " " + PENCIL)) {
            assertRefused(text, "a SCRAM verifier starts with SCRAM-SHA-256$");
        }
    }

    @Test
    void missingOrExtraPartsAreRefused() {
        for (String text : List.of(
                "SCRAM-SHA-256$",
                "SCRAM-SHA-256$4096",
                "SCRAM-SHA-256$4096:" + SALT,
                "SCRAM-SHA-256$4096:" + SALT + "$",
                "SCRAM-SHA-256$4096:" + SALT + "$" + STORED_KEY,
                "SCRAM-SHA-256$4096$" + STORED_KEY + ":" + SERVER_KEY,
                "SCRAM-SHA-256$" + SALT + "$" + STORED_KEY + ":" + SERVER_KEY,
                "SCRAM-SHA-256$4096:" + SALT + ":" + SALT + "$" + STORED_KEY + ":" + SERVER_KEY,
                "SCRAM-SHA-256$4096:" + SALT + "$" + STORED_KEY + ":" + SERVER_KEY + ":" + SERVER_KEY,
                "SCRAM-SHA-256$4096:" + SALT + "$" + STORED_KEY + SERVER_KEY,
                "SCRAM-SHA-256$4096;" + SALT + "$" + STORED_KEY + ":" + SERVER_KEY)) {
            assertRefused(text, FORM);
        }
    }

    @Test
    void partsThatAreNotBase64AreRefused() {
        assertRefused("SCRAM-SHA-256$4096:" + "ZWdw!GVz7ZMwW0Kwt3xHDg==" + "$" + STORED_KEY + ":" + SERVER_KEY,
                "the salt of a SCRAM verifier is not base64");
        assertRefused("SCRAM-SHA-256$4096:" + SALT + "$" + STORED_KEY.replace('I', '_') + ":" + SERVER_KEY,
                "the StoredKey of a SCRAM verifier is not base64");
        assertRefused("SCRAM-SHA-256$4096:" + SALT + "$" + STORED_KEY + ":" + SERVER_KEY.replace('/', '-'),
                "the ServerKey of a SCRAM verifier is not base64");
        // A '$' too many ends up inside the ServerKey.
        assertRefused(PENCIL + "$", "the ServerKey of a SCRAM verifier is not base64");
        assertRefused("SCRAM-SHA-256$4096:" + SALT + "$" + STORED_KEY + ":" + SERVER_KEY.substring(1),
                "the ServerKey of a SCRAM verifier is not base64");
        assertRefused("SCRAM-SHA-256$4096:" + SALT + " $" + STORED_KEY + ":" + SERVER_KEY,
                "the salt of a SCRAM verifier is not base64");
    }

    @Test
    void emptyPartsAreRefused() {
        assertRefused("SCRAM-SHA-256$4096:$" + STORED_KEY + ":" + SERVER_KEY, "the salt of a SCRAM verifier is empty");
        assertRefused("SCRAM-SHA-256$4096:" + SALT + "$:" + SERVER_KEY, "the StoredKey of a SCRAM verifier is empty");
        assertRefused("SCRAM-SHA-256$4096:" + SALT + "$" + STORED_KEY + ":", "the ServerKey of a SCRAM verifier is empty");
    }

    @Test
    void keysThatAreNot32BytesAreRefused() {
        String short31 = Base64.getEncoder().encodeToString(new byte[31]);
        String long33 = Base64.getEncoder().encodeToString(new byte[33]);
        for (String text : List.of(
                "SCRAM-SHA-256$4096:" + SALT + "$" + short31 + ":" + SERVER_KEY,
                "SCRAM-SHA-256$4096:" + SALT + "$" + STORED_KEY + ":" + long33,
                "SCRAM-SHA-256$4096:" + SALT + "$" + SALT + ":" + SALT)) {
            assertRefused(text, "StoredKey and ServerKey must be 32 bytes");
        }
    }

    @Test
    void iterationCountsOutsideTheRangeOrNotNumbersAreRefused() {
        String tail = ":" + SALT + "$" + STORED_KEY + ":" + SERVER_KEY;
        assertRefused("SCRAM-SHA-256$0" + tail, "iteration count 0 is outside 1..10000000");
        assertRefused("SCRAM-SHA-256$000" + tail, "iteration count 0 is outside 1..10000000");
        assertRefused("SCRAM-SHA-256$10000001" + tail, "iteration count 10000001 is outside 1..10000000");
        assertRefused("SCRAM-SHA-256$2147483647" + tail, "iteration count 2147483647 is outside 1..10000000");
        for (String count : List.of("2147483648", "99999999999999999999", "abc", "", " 4096", "4096 ", "0x1000", "4096.0",
                "-4096", "+4096", "\u0664\u0660\u0669\u0666")) {
            assertRefused("SCRAM-SHA-256$" + count + tail, "the iteration count of a SCRAM verifier is not a number");
        }
        assertThat(ScramVerifier.parse("SCRAM-SHA-256$10000000" + tail).iterations()).isEqualTo(ScramVerifier.MAX_ITERATIONS);
    }

    @Test
    void nullIsRefused() {
        assertThatThrownBy(() -> ScramVerifier.parse(null)).isInstanceOf(NullPointerException.class).hasMessage("text");
    }

    @Test
    void constructorChecksItsParts() {
        byte[] key = new byte[32];
        assertThatThrownBy(() -> new ScramVerifier(0, new byte[16], key, key)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScramVerifier(ScramVerifier.MAX_ITERATIONS + 1, new byte[16], key, key))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScramVerifier(4096, new byte[0], key, key)).hasMessage("the salt is empty");
        assertThatThrownBy(() -> new ScramVerifier(4096, new byte[16], new byte[31], key))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScramVerifier(4096, new byte[16], key, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        // Any non-empty salt is accepted, as PostgreSQL does; only generated ones are 16 bytes.
        assertThat(new ScramVerifier(4096, new byte[1], key, key).salt()).hasSize(1);
    }

    /** The message is the expected one, and holds neither the text nor any of its base64 parts. */
    private static void assertRefused(String text, String message) {
        assertThatThrownBy(() -> ScramVerifier.parse(text)).as(text)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
        try {
            ScramVerifier.parse(text);
        } catch (IllegalArgumentException e) {
            if (text.length() > ScramVerifier.PREFIX.length() + 4) {
                assertThat(e.getMessage()).as(text).doesNotContain(text);
            }
            assertThat(e.getMessage()).as(text).doesNotContain(SALT, STORED_KEY, SERVER_KEY,
                    STORED_KEY.substring(0, 12), SERVER_KEY.substring(0, 12), SALT.substring(0, 12));
        }
    }
}
