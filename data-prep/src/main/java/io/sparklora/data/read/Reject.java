package io.sparklora.data.read;

import java.io.Serializable;

/**
 * A record that could not be used, with where it was and why. {@code raw} is the offending text,
 * shortened to {@link #MAX_RAW} characters.
 */
public record Reject(String file, long line, String reason, String raw) implements Serializable {

    public static final int MAX_RAW = 1000;

    public static Reject of(String file, long line, String reason, String raw) {
        String r = raw == null ? null : raw.length() > MAX_RAW ? raw.substring(0, MAX_RAW) : raw;
        return new Reject(file, line, reason, r);
    }
}
