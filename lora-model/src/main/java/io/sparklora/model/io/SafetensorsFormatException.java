package io.sparklora.model.io;

import java.io.IOException;

/**
 * The one exception a malformed, truncated or hostile safetensors file produces. The message names the
 * file and, where it applies, the tensor or header key and what was expected.
 */
public class SafetensorsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public SafetensorsFormatException(String message) {
        super(message);
    }

    public SafetensorsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
