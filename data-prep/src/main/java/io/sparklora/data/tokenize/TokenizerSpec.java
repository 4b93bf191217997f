package io.sparklora.data.tokenize;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Everything an executor needs to build a tokenizer: the kind and the full tokenizer.json text. It
 * carries the JSON itself rather than a path so that executors need no access to the driver's files
 * (ship it in a broadcast). {@link #key()} identifies it in the per-JVM {@link TokenizerCache}.
 */
public final class TokenizerSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    private final TokenizerKind kind;
    private final String tokenizerJson;
    private final String sha256;

    public TokenizerSpec(TokenizerKind kind, String tokenizerJson) {
        this.kind = Objects.requireNonNull(kind, "kind");
        if (tokenizerJson == null || tokenizerJson.isBlank()) {
            throw new IllegalArgumentException("tokenizer.json text is empty for " + kind);
        }
        this.tokenizerJson = tokenizerJson;
        this.sha256 = sha256(tokenizerJson);
    }

    public TokenizerKind kind() {
        return kind;
    }

    public String tokenizerJson() {
        return tokenizerJson;
    }

    /** Cache key: kind and SHA-256 of the JSON. */
    public String key() {
        return kind + ":" + sha256;
    }

    static String sha256(String text) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenizerSpec s && s.kind == kind && s.sha256.equals(sha256);
    }

    @Override
    public int hashCode() {
        return key().hashCode();
    }

    @Override
    public String toString() {
        return "TokenizerSpec[" + kind + ", sha256=" + sha256.substring(0, 12) + "]";
    }
}
