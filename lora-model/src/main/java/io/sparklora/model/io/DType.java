package io.sparklora.model.io;

import java.util.Locale;

/** Element types of the safetensors format, with the names used in its JSON header. */
public enum DType {
    F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1), U16(2), U32(4), U64(8);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** True for F64, F32, F16 and BF16. */
    public boolean isFloating() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /** The header name ({@code "F32"}, ...). */
    public String headerName() {
        return name();
    }

    /**
     * Parses a header dtype name (exact, upper case as the format requires).
     *
     * @throws IllegalArgumentException for a name this reader does not support
     */
    public static DType fromHeaderName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("dtype is null");
        }
        for (DType d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown safetensors dtype '" + name + "' (known: "
                + java.util.Arrays.toString(values()).toUpperCase(Locale.ROOT) + ")");
    }
}
