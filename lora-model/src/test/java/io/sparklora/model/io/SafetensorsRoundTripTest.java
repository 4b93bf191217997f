package io.sparklora.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {
    @TempDir Path tmp;

    private static void assertSample(SafetensorsReader r) throws Exception {
        assertEquals(List.of("ids", "w", "half", "bf", "d", "scalar", "empty", "mask", "i32"),
                List.copyOf(r.tensors().keySet()), "tensors in the order added");
        assertEquals(Map.of("format", "pt", "note", "sample ü"), r.metadata());
        assertEquals(0, r.dataStart() % 8, "data section 8-byte aligned");
        assertArrayEquals(new long[] {0, 1, -2, Long.MAX_VALUE, Long.MIN_VALUE, 42}, r.readLongs("ids"));
        assertArrayEquals(new long[] {2, 3}, r.info("ids").shape());
        assertArrayEquals(new float[] {1.5f, -2.25f, 3.0e-3f, Float.MAX_VALUE}, r.readFloats("w"));
        assertArrayEquals(new float[] {1f, -0.5f, 65504f, 0x1p-24f}, r.readFloats("half"));
        assertEquals(DType.F16, r.info("half").dtype());
        assertEquals(8, r.info("half").byteLength());
        assertArrayEquals(new float[] {1f, -3.5f, 0x1p100f}, r.readFloats("bf"));
        assertArrayEquals(new float[] {0.1f}, r.readFloats("d"));
        assertEquals(0.1f, (float) r.readRaw("d").getDouble(0));
        assertArrayEquals(new float[] {7f}, r.readFloats("scalar"));
        assertEquals(0, r.info("scalar").rank());
        assertEquals(0, r.readFloats("empty").length);
        assertArrayEquals(new long[] {1, 0, 1}, r.readLongs("mask"));
        assertArrayEquals(new long[] {-7, 9}, r.readLongs("i32"));
        assertThrows(IllegalArgumentException.class, () -> r.readFloats("ids"));
        assertThrows(IllegalArgumentException.class, () -> r.readLongs("w"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.info("nope"));
        assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
    }

    @Test
    void roundTripInMemoryLocalFileAndHadoopStream() throws Exception {
        byte[] bytes = SafetensorsTestFiles.sample().toByteArray();
        try (SafetensorsReader r = SafetensorsReader.open(bytes, "mem")) {
            assertSample(r);
        }
        Path f = tmp.resolve("s.safetensors");
        SafetensorsTestFiles.sample().write(f);
        assertArrayEquals(bytes, Files.readAllBytes(f), "file and in-memory bytes agree");
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            assertSample(r);
        }
        Storage storage = new Storage();
        String uri = tmp.resolve("sub/h.safetensors").toUri().toString();
        SafetensorsTestFiles.sample().write(storage, uri);
        try (SafetensorsReader r = SafetensorsReader.open(storage, uri)) {
            assertSample(r);
        }
        try (SafetensorsReader r = SafetensorsReader.openStream(storage, uri)) {
            assertSample(r);
        }
        try (var s = Files.list(tmp.resolve("sub"))) {
            assertEquals(List.of("h.safetensors"), s.map(p -> p.getFileName().toString()).toList(), "no temp or .crc files left");
        }
    }

    @Test
    void headerIsPaddedWithSpacesAndNamesOffsetsInOrder() throws Exception {
        byte[] bytes = new SafetensorsWriter().addFloats("a", new long[] {1}, new float[] {1f})
                .addFloats("b", new long[] {2}, new float[] {2f, 3f}).toByteArray();
        long n = ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, n % 8);
        String header = new String(bytes, 8, (int) n, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}"), header);
        assertTrue(header.contains("\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}"), header);
        assertTrue(header.endsWith("}") || header.trim().endsWith("}"));
        assertEquals(8 + n + 12, bytes.length);
    }

    @Test
    void halfAndBfloatConversionsRoundToNearestEven() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = HalfFloats.halfToFloat((short) bits);
            if (!Float.isNaN(f)) {
                assertEquals((short) bits, HalfFloats.floatToHalf(f), "half " + Integer.toHexString(bits));
            }
            float b = HalfFloats.bf16ToFloat((short) bits);
            if (!Float.isNaN(b)) {
                assertEquals((short) bits, HalfFloats.floatToBf16(b), "bf16 " + Integer.toHexString(bits));
            }
        }
        assertEquals(1.0f, HalfFloats.halfToFloat((short) 0x3c00));
        assertEquals(-2.0f, HalfFloats.halfToFloat((short) 0xc000));
        assertEquals(0x1p-24f, HalfFloats.halfToFloat((short) 0x0001));
        // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even (1.0)
        assertEquals((short) 0x3c00, HalfFloats.floatToHalf(1f + 0x1p-11f));
        assertEquals((short) 0x3c01, HalfFloats.floatToHalf(1f + 0x1.8p-11f));
        assertEquals((short) 0x7c00, HalfFloats.floatToHalf(1e6f));
        assertEquals((short) 0x3f80, HalfFloats.floatToBf16(1f + 0x1p-8f), "bf16 tie to even");
        assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(Float.NaN))));
    }

    @Test
    void writerRejectsBadArguments() {
        SafetensorsWriter w = new SafetensorsWriter().addFloats("a", new long[] {2}, new float[] {1, 2});
        assertThrows(IllegalArgumentException.class, () -> w.addFloats("a", new long[] {1}, new float[] {1}));
        assertThrows(IllegalArgumentException.class, () -> w.addFloats("b", new long[] {3}, new float[] {1}));
        assertThrows(IllegalArgumentException.class, () -> w.addFloats("c", new long[] {-1}, new float[0]));
        assertThrows(IllegalArgumentException.class, () -> w.addFloats("__metadata__", new long[] {1}, new float[] {1}));
        assertThrows(IllegalArgumentException.class, () -> w.addFloats("d", DType.I64, new long[] {1}, new float[] {1}));
        assertThrows(IllegalArgumentException.class,
                () -> w.addRaw("e", DType.F32, new long[] {2}, ByteBuffer.allocate(4)));
    }

    @Test
    void lazyContentWithWrongLengthFailsAndLeavesNoFile() throws Exception {
        Path f = tmp.resolve("lazy.safetensors");
        SafetensorsWriter w = new SafetensorsWriter().addLazy("x", DType.F32, new long[] {4}, out -> out.write(new byte[12]));
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> w.write(f));
        assertTrue(e.getMessage().contains("'x'") && e.getMessage().contains("expected 16"), e.getMessage());
        try (var s = Files.list(tmp)) {
            assertEquals(0, s.count(), "neither the target nor a temporary file remains");
        }
    }
}
