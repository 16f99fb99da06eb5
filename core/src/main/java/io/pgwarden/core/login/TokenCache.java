package io.pgwarden.core.login;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The cached tokens of each profile, one JSON file per profile, {@code tokens/NAME.json} in the config directory.
 * The directory is 0700 and each file 0600 from the moment it exists (see {@link PrivateFiles}); a file that others
 * may read is refused, not used, because its tokens may have been copied.
 */
public final class TokenCache {

    /** A cache file is a few kilobytes; a larger one is not ours. */
    private static final long MAX_BYTES = 1 << 20;

    private final Path directory;

    /**
     * The cache in this directory.
     *
     * @param directory the tokens directory
     */
    public TokenCache(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory");
    }

    /**
     * The cache file of a profile.
     *
     * @param profile the profile's name
     * @return its file
     */
    public Path file(String profile) {
        return directory.resolve(LoginProfile.checkName(profile) + ".json");
    }

    /**
     * The cached tokens of a profile.
     *
     * @param profile the profile's name
     * @return the tokens, or empty when the profile has not logged in (or has logged out)
     * @throws LoginException when the file is readable by others or damaged
     */
    public Optional<CachedTokens> read(String profile) {
        Path file = file(profile);
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw damaged(file, profile, "larger than " + MAX_BYTES + " bytes");
            }
            PrivateFiles.checkOwnerOnly(file);
            return Optional.of(parse(file, profile, Files.readString(file, StandardCharsets.UTF_8)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new LoginException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Replaces the cached tokens of a profile, atomically, owner-only.
     *
     * @param profile the profile's name
     * @param tokens the tokens
     */
    public void write(String profile, CachedTokens tokens) {
        Path file = file(profile);
        PrivateFiles.ownerOnlyDirectory(directory);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("issuer", tokens.issuer().toString());
        json.put("client_id", tokens.clientId());
        json.put("access_token", tokens.accessToken());
        if (tokens.refreshToken() != null) {
            json.put("refresh_token", tokens.refreshToken());
        }
        if (tokens.expiresAt() != null) {
            json.put("expires_at", tokens.expiresAt().getEpochSecond());
        }
        PrivateFiles.write(file, JSONObjectUtils.toJSONString(json).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Deletes the cached tokens of a profile.
     *
     * @param profile the profile's name
     * @return true when there were tokens
     */
    public boolean delete(String profile) {
        Path file = file(profile);
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new LoginException("cannot delete " + file + ": " + e.getMessage(), e);
        }
    }

    private static CachedTokens parse(Path file, String profile, String text) {
        try {
            Map<String, Object> json = JSONObjectUtils.parse(text);
            String issuer = JSONObjectUtils.getString(json, "issuer");
            String clientId = JSONObjectUtils.getString(json, "client_id");
            String accessToken = JSONObjectUtils.getString(json, "access_token");
            if (issuer == null || clientId == null || accessToken == null || accessToken.isEmpty()) {
                throw damaged(file, profile, "issuer, client_id or access_token missing");
            }
            Object expiresAt = json.get("expires_at");
            if (expiresAt != null && !(expiresAt instanceof Number)) {
                throw damaged(file, profile, "expires_at is not a number");
            }
            return new CachedTokens(new URI(issuer), clientId, accessToken,
                    JSONObjectUtils.getString(json, "refresh_token"),
                    expiresAt == null ? null : Instant.ofEpochSecond(((Number) expiresAt).longValue()));
        } catch (ParseException | URISyntaxException e) {
            // The parser's message may quote the file's text, which holds tokens: it is not shown.
            throw damaged(file, profile, "not the JSON pgwarden login writes");
        }
    }

    private static LoginException damaged(Path file, String profile, String why) {
        return LoginException.loginNeeded(profile, "the token cache " + file + " is damaged (" + why + ")");
    }
}
