package io.pgwarden.plugin.oidc;

import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.util.Map;

/** JWT-shaped strings for tests whose validator is a fake: the signature is not a signature. */
final class TestTokens {

    private TestTokens() {
    }

    static String jwt(Map<String, ?> claims) {
        @SuppressWarnings("unchecked")
        Map<String, Object> payload = (Map<String, Object>) claims;
        return Base64URL.encode("{\"alg\":\"RS256\",\"kid\":\"k1\"}") + "." + Base64URL.encode(JSONObjectUtils.toJSONString(payload))
                + ".c2lnbmF0dXJl";
    }
}
