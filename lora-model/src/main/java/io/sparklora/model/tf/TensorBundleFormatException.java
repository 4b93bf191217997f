package io.sparklora.model.tf;

import java.io.IOException;

/**
 * A TensorFlow checkpoint (tensor bundle, its SSTable index or a protobuf entry) is malformed, truncated or
 * fails a checksum. The message names the file and the block, key or tensor concerned.
 */
public class TensorBundleFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public TensorBundleFormatException(String message) {
        super(message);
    }

    public TensorBundleFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
