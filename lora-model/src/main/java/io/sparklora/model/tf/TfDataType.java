package io.sparklora.model.tf;

/** TensorFlow's {@code DataType} enum ({@code types.proto}) for the types a checkpoint of weights holds. */
public enum TfDataType {
    DT_FLOAT(1, 4), DT_DOUBLE(2, 8), DT_INT32(3, 4), DT_UINT8(4, 1), DT_INT16(5, 2), DT_INT8(6, 1),
    DT_STRING(7, -1), DT_COMPLEX64(8, 8), DT_INT64(9, 8), DT_BOOL(10, 1), DT_BFLOAT16(14, 2),
    DT_UINT16(17, 2), DT_COMPLEX128(18, 16), DT_HALF(19, 2), DT_UINT32(22, 4), DT_UINT64(23, 8);

    private final int code;
    private final int byteSize;

    TfDataType(int code, int byteSize) {
        this.code = code;
        this.byteSize = byteSize;
    }

    public int code() {
        return code;
    }

    /** Bytes per element; -1 for variable-length types (strings). */
    public int byteSize() {
        return byteSize;
    }

    public boolean fixedSize() {
        return byteSize > 0;
    }

    /** The type with this enum number, or null if it is not one a weight checkpoint holds. */
    public static TfDataType ofCode(long code) {
        for (TfDataType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
