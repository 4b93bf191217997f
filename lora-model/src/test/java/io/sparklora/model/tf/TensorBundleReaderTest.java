package io.sparklora.model.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorBundleReaderTest {
    @TempDir Path tmp;

    private Path bundle() throws Exception {
        Map<String, float[]> t = new TreeMap<>();
        Map<String, long[]> s = new TreeMap<>();
        t.put("a/kernel", new float[] {1, 2, 3, 4, 5, 6});
        s.put("a/kernel", new long[] {2, 3});
        t.put("a/bias", new float[] {-1, -2, -3});
        s.put("a/bias", new long[] {3});
        t.put("scalar", new float[] {42});
        s.put("scalar", new long[] {});
        float[] big = new float[300_000]; // > 1 MB: read through a memory map
        for (int i = 0; i < big.length; i++) {
            big[i] = i * 0.5f;
        }
        t.put("z/big", big);
        s.put("z/big", new long[] {600, 500});
        return TestBundles.floatBundle(tmp.resolve("b"), "variables", t, s);
    }

    @Test
    void readsEntriesAndVerifiesCrc() throws Exception {
        try (TensorBundleReader r = TensorBundleReader.open(bundle())) {
            assertEquals(List.of("a/bias", "a/kernel", "scalar", "z/big"), List.copyOf(r.entries().keySet()));
            assertEquals(1, r.numShards());
            BundleEntry k = r.entry("a/kernel");
            assertArrayEquals(new long[] {2, 3}, k.shape());
            assertEquals(TfDataType.DT_FLOAT, k.dtype());
            assertEquals(24, k.size());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, r.readFloats("a/kernel"));
            assertArrayEquals(new float[] {42}, r.readFloats("scalar"));
            assertEquals(149_999.5f, r.readFloats("z/big")[299_999]);
            assertEquals(4, r.verifyAll());
            assertEquals(7, r.tensorsVerified());
            assertThrows(IllegalArgumentException.class, () -> r.entry("nope"));
        }
    }

    @Test
    void corruptedTensorBytesGiveAChecksumError() throws Exception {
        Path prefix = bundle();
        Path data = prefix.resolveSibling("variables.data-00000-of-00001");
        try (TensorBundleReader r = TensorBundleReader.open(prefix)) {
            long off = r.entry("a/kernel").offset();
            try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
                f.seek(off + 5);
                int b = f.read();
                f.seek(off + 5);
                f.write(b ^ 0x10);
            }
            TensorBundleFormatException e = assertThrows(TensorBundleFormatException.class, () -> r.readRaw("a/kernel"));
            assertTrue(e.getMessage().contains("tensor 'a/kernel': checksum mismatch"), e.getMessage());
            r.readRaw("a/bias"); // others still fine
        }
    }

    @Test
    void truncatedOrMissingDataFileIsReportedAtOpen() throws Exception {
        Path prefix = bundle();
        Path data = prefix.resolveSibling("variables.data-00000-of-00001");
        try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
            f.setLength(f.length() - 4);
        }
        TensorBundleFormatException e = assertThrows(TensorBundleFormatException.class, () -> TensorBundleReader.open(prefix));
        assertTrue(e.getMessage().contains("tensor 'z/big'") && e.getMessage().contains("truncated"), e.getMessage());
        Files.delete(data);
        e = assertThrows(TensorBundleFormatException.class, () -> TensorBundleReader.open(prefix));
        assertTrue(e.getMessage().contains("is missing"), e.getMessage());
    }

    @Test
    void sizeMustMatchShapeAndHeaderMustComeFirst() throws Exception {
        Path dir = tmp.resolve("c");
        Files.createDirectories(dir);
        TreeMap<String, byte[]> entries = new TreeMap<>();
        entries.put("", new TestBundles.Proto().varintField(1, 1).bytes());
        entries.put("x", new TestBundles.Proto().varintField(1, 1)
                .bytesField(2, new TestBundles.Proto().bytesField(2, new TestBundles.Proto().varintField(1, 3).bytes()).bytes())
                .varintField(4, 0).varintField(5, 8).bytes());
        Files.write(dir.resolve("v.index"), TestBundles.table(entries, 4, 2, 0));
        Files.write(dir.resolve("v.data-00000-of-00001"), new byte[16]);
        TensorBundleFormatException e = assertThrows(TensorBundleFormatException.class, () -> TensorBundleReader.open(dir.resolve("v")));
        assertTrue(e.getMessage().contains("tensor 'x': size 8 bytes, expected 12"), e.getMessage());

        entries.remove("");
        Files.write(dir.resolve("v.index"), TestBundles.table(entries, 4, 2, 0));
        e = assertThrows(TensorBundleFormatException.class, () -> TensorBundleReader.open(dir.resolve("v")));
        assertTrue(e.getMessage().contains("empty header key"), e.getMessage());

        entries.put("", new TestBundles.Proto().varintField(1, 1).varintField(2, 1).bytes());
        Files.write(dir.resolve("v.index"), TestBundles.table(entries, 4, 2, 0));
        e = assertThrows(TensorBundleFormatException.class, () -> TensorBundleReader.open(dir.resolve("v")));
        assertTrue(e.getMessage().contains("big-endian"), e.getMessage());
    }
}
