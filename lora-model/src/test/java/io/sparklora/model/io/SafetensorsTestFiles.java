package io.sparklora.model.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Hand-made safetensors bytes for the validation tests. */
final class SafetensorsTestFiles {
    private SafetensorsTestFiles() {}

    /** 8-byte length + the given header text (unpadded) + {@code dataLength} bytes of data. */
    static byte[] file(String headerJson, int dataLength) {
        byte[] h = headerJson.getBytes(StandardCharsets.UTF_8);
        return file(h.length, h, dataLength);
    }

    static byte[] file(long declaredHeaderLength, byte[] header, int dataLength) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(declaredHeaderLength).array());
        out.writeBytes(header);
        byte[] data = new byte[dataLength];
        for (int i = 0; i < dataLength; i++) {
            data[i] = (byte) i;
        }
        out.writeBytes(data);
        return out.toByteArray();
    }

    /** A valid file with several dtypes, a scalar, an empty tensor and metadata. */
    static SafetensorsWriter sample() {
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt").metadata("note", "sample ü");
        w.addLongs("ids", new long[] {2, 3}, new long[] {0, 1, -2, Long.MAX_VALUE, Long.MIN_VALUE, 42});
        w.addFloats("w", new long[] {2, 2}, new float[] {1.5f, -2.25f, 3.0e-3f, Float.MAX_VALUE});
        w.addFloats("half", DType.F16, new long[] {4}, new float[] {1f, -0.5f, 65504f, 0x1p-24f});
        w.addFloats("bf", DType.BF16, new long[] {3}, new float[] {1f, -3.5f, 0x1p100f});
        w.addFloats("d", DType.F64, new long[] {1}, new float[] {0.1f});
        w.addFloats("scalar", new long[] {}, new float[] {7f});
        w.addFloats("empty", new long[] {0, 5}, new float[0]);
        w.addRaw("mask", DType.BOOL, new long[] {3}, ByteBuffer.wrap(new byte[] {1, 0, 1}));
        w.addRaw("i32", DType.I32, new long[] {2},
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(-7).putInt(9).flip());
        return w;
    }
}
