package io.pgwarden.core.login;

import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.as.AuthorizationServerMetadata;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import java.net.MalformedURLException;
import java.net.URI;
import java.util.Objects;

/**
 * The endpoints of an OpenID provider, from its discovery document
 * ({@code ISSUER/.well-known/openid-configuration}), after checking that the document is for the configured issuer.
 *
 * @param issuer the issuer
 * @param authorizationEndpoint where a browser signs in (null when the provider has none)
 * @param tokenEndpoint where codes and refresh tokens are exchanged
 * @param deviceAuthorizationEndpoint where the device flow starts (null when the provider has none)
 * @param revocationEndpoint where tokens are revoked (null when the provider has none)
 */
public record ProviderEndpoints(URI issuer, URI authorizationEndpoint, URI tokenEndpoint, URI deviceAuthorizationEndpoint,
                                URI revocationEndpoint) {

    /**
     * Endpoints; issuer and token endpoint are required.
     */
    public ProviderEndpoints {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
    }

    /**
     * Fetches and checks the discovery document of an issuer.
     *
     * @param issuer the configured issuer
     * @return its endpoints
     * @throws LoginException when the issuer is not https, cannot be reached, has no such document, or the document
     *         names another issuer
     */
    public static ProviderEndpoints discover(URI issuer) {
        OAuthHttp.checkSecure("the issuer", issuer);
        URI document = discoveryUrl(issuer);
        HTTPResponse response;
        try {
            response = OAuthHttp.send(new HTTPRequest(HTTPRequest.Method.GET, document.toURL()));
        } catch (MalformedURLException e) {
            throw new LoginException("the issuer " + issuer + " is not a URL: " + e.getMessage(), e);
        }
        if (response.getStatusCode() != 200) {
            throw new LoginException("wrong issuer? " + document + " answered HTTP " + response.getStatusCode()
                    + "; the issuer must be exactly the iss of the provider's tokens (Keycloak:"
                    + " https://HOST/realms/REALM, Entra ID: https://login.microsoftonline.com/TENANT/v2.0)");
        }
        AuthorizationServerMetadata metadata;
        try {
            metadata = AuthorizationServerMetadata.parse(response.getBody());
        } catch (ParseException e) {
            throw new LoginException("wrong issuer? " + document + " is not an OpenID provider configuration ("
                    + ProviderText.printable(e.getMessage()) + ")", e);
        }
        String named = metadata.getIssuer().getValue();
        if (!named.equals(issuer.toString())) {
            throw new LoginException("wrong issuer: " + document + " names the issuer " + ProviderText.printable(named) + ", not " + issuer
                    + "; give exactly the issuer of the provider's tokens (scheme, host, port, path, trailing slash)");
        }
        if (metadata.getTokenEndpointURI() == null) {
            throw new LoginException("the provider " + issuer + " names no token_endpoint in " + document);
        }
        return new ProviderEndpoints(issuer, checked("authorization_endpoint", metadata.getAuthorizationEndpointURI()),
                checked("token_endpoint", metadata.getTokenEndpointURI()),
                checked("device_authorization_endpoint", metadata.getDeviceAuthorizationEndpointURI()),
                checked("revocation_endpoint", metadata.getRevocationEndpointURI()));
    }

    /**
     * The discovery document's URL: the issuer with {@code /.well-known/openid-configuration} appended to its path
     * (OpenID Connect Discovery 1.0 section 4; a trailing slash of the issuer is not doubled).
     *
     * @param issuer the issuer
     * @return the document's URL
     */
    static URI discoveryUrl(URI issuer) {
        String text = issuer.toString();
        return URI.create((text.endsWith("/") ? text.substring(0, text.length() - 1) : text)
                + "/.well-known/openid-configuration");
    }

    private static URI checked(String what, URI endpoint) {
        return endpoint == null ? null : OAuthHttp.checkSecure("the provider's " + what, endpoint);
    }
}
