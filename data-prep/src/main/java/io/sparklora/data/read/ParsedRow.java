package io.sparklora.data.read;

import java.io.Serializable;

/** Either an {@link Example} or a {@link Reject}; readers never drop a record silently. */
public record ParsedRow(Example example, Reject reject) implements Serializable {

    public static ParsedRow ok(Example e) {
        return new ParsedRow(e, null);
    }

    public static ParsedRow rejected(Reject r) {
        return new ParsedRow(null, r);
    }

    public boolean isReject() {
        return reject != null;
    }
}
