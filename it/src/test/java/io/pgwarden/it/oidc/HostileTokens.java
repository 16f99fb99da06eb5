package io.pgwarden.it.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Base64;

/**
 * Tokens an attacker crafts by hand for a provider's issuer: claims that would be accepted, wrapped in a token that
 * must not be. Each is remembered by the provider fixture, so the log checks cover them.
 */
final class HostileTokens {

    private HostileTokens() {
    }

    /** {@code alg: none}, no signature: {@code header.payload.} */
    static String algNone(OidcFixture provider, OidcFixture.TokenSpec spec) {
        return provider.remember(new PlainJWT(spec.claimsSet()).serialize());
    }

    /**
     * HS256 keyed with the bytes of the provider's RSA public key (fetched from its JWKS, as anyone can), under the
     * provider's kid: the classic algorithm-confusion attack on a verifier that takes the algorithm from the token.
     *
     * @param pem true for the key as PEM text (what a verifier reading a PEM file would use), false for its DER
     */
    static String hs256WithPublicKey(OidcFixture provider, OidcFixture.TokenSpec spec, boolean pem)
            throws IOException, InterruptedException {
        RSAKey published;
        try {
            published = (RSAKey) JWKSet.parse(provider.fetch(provider.jwksUri())).getKeys().get(0);
        } catch (ParseException e) {
            throw new IOException("the provider's JWKS did not parse", e);
        }
        byte[] der;
        try {
            der = published.toRSAPublicKey().getEncoded();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        byte[] secret = pem
                ? ("-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                        + "\n-----END PUBLIC KEY-----\n").getBytes(StandardCharsets.US_ASCII)
                : der;
        return provider.remember(macSigned(spec.claimsSet(), published.getKeyID(), secret));
    }

    /** Signed RS256 by a key the provider never published, under a kid it does not know. */
    static String unknownKid(OidcFixture provider, OidcFixture.TokenSpec spec) {
        try {
            RSAKey stranger = new RSAKeyGenerator(2048).keyID("not-a-key-of-this-provider").generate();
            return provider.remember(OidcFixture.sign(stranger, spec.claimsSet()));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A well-formed, correctly signed token made larger than {@code size} bytes by a padding claim. */
    static String oversize(OidcFixture.TokenSpec spec, int size) {
        return spec.claim("padding", "x".repeat(size)).issue();
    }

    private static String macSigned(JWTClaimsSet claims, String kid, byte[] secret) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(kid).type(JOSEObjectType.JWT).build(),
                    claims);
            jwt.sign(new MACSigner(secret));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
