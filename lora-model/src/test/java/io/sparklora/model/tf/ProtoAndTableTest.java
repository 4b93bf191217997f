package io.sparklora.model.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ProtoAndTableTest {

    @Test
    void crc32cCheckValueAndMasking() {
        // the standard CRC-32C check value of "123456789"
        assertEquals(0xe3069283, Crc32c.of("123456789".getBytes(StandardCharsets.US_ASCII), 0, 9));
        for (int v : new int[] {0, 1, -1, 0x12345678, 0xa282ead8}) {
            assertEquals(v, Crc32c.unmask(Crc32c.mask(v)));
        }
        assertTrue(Crc32c.mask(0) != 0);
    }

    @Test
    void protoFieldsDecodeAndTruncationIsReported() throws Exception {
        byte[] msg = new TestBundles.Proto().varintField(1, 300).varintField(2, Long.MAX_VALUE).fixed32Field(6, 0xdeadbeef)
                .bytesField(3, "hi".getBytes(StandardCharsets.UTF_8)).varintField(4, -1).bytes();
        ProtoReader r = new ProtoReader(msg, "m");
        assertEquals(1, ProtoReader.fieldNumber(r.readTag()));
        assertEquals(300, r.readVarint());
        assertEquals(2, ProtoReader.fieldNumber(r.readTag()));
        assertEquals(Long.MAX_VALUE, r.readVarint());
        int tag = r.readTag();
        assertEquals(6, ProtoReader.fieldNumber(tag));
        assertEquals(ProtoReader.FIXED32, ProtoReader.wireType(tag));
        assertEquals(0xdeadbeef, r.readFixed32());
        r.readTag();
        assertEquals("hi", r.readString());
        r.readTag();
        assertEquals(-1L, r.readVarint(), "negative int64 is a 10-byte varint");
        assertTrue(!r.hasMore());

        java.util.Set<Integer> fieldBoundaries = java.util.Set.of(3, 13, 18, 22);
        for (int cut = 1; cut < msg.length; cut++) {
            if (fieldBoundaries.contains(cut)) {
                continue; // a prefix ending at a field boundary is a valid (shorter) message
            }
            ProtoReader t = new ProtoReader(Arrays.copyOf(msg, cut), "cut");
            TensorBundleFormatException e = assertThrows(TensorBundleFormatException.class, () -> {
                while (t.hasMore()) {
                    t.skip(ProtoReader.wireType(t.readTag()));
                }
            }, "cut at " + cut);
            assertTrue(e.getMessage().startsWith("cut: "), e.getMessage());
        }
        byte[] tooLong = new byte[11];
        Arrays.fill(tooLong, (byte) 0x80);
        assertThrows(TensorBundleFormatException.class, () -> new ProtoReader(tooLong, "x").readVarint());
    }

    private static TreeMap<String, byte[]> entries(int n) {
        TreeMap<String, byte[]> m = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            m.put(String.format("module/bert/encoder/layer_%03d/kernel", i), ("value" + i).getBytes(StandardCharsets.UTF_8));
        }
        m.put("", new byte[] {8, 1});
        return m;
    }

    @Test
    void readsMultiBlockTablesWithPrefixCompressionAndRestarts() throws Exception {
        TreeMap<String, byte[]> m = entries(50);
        for (int[] layout : new int[][] {{1, 1}, {7, 3}, {100, 16}}) {
            SsTableReader t = SsTableReader.parse(TestBundles.table(m, layout[0], layout[1], 0), "t");
            List<SsTableReader.Entry> e = t.entries();
            assertEquals(m.size(), e.size());
            int i = 0;
            for (var x : m.entrySet()) {
                assertEquals(x.getKey(), e.get(i).keyString());
                assertArrayEquals(x.getValue(), e.get(i).value());
                i++;
            }
            assertEquals(2 + (m.size() + layout[0] - 1) / layout[0], t.blocksVerified());
        }
    }

    @Test
    void everySingleByteCorruptionOfATableIsDetected() {
        byte[] good = TestBundles.table(entries(20), 5, 4, 0);
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x01;
            int at = i;
            // a flip in the footer's zero padding is harmless in LevelDB too; anything else must fail
            if (i >= good.length - 48 && i < good.length - 8) {
                try {
                    SsTableReader.parse(bad, "bad");
                } catch (TensorBundleFormatException expected) {
                    // handles changed: refused, fine
                }
                continue;
            }
            TensorBundleFormatException e = assertThrows(TensorBundleFormatException.class,
                    () -> SsTableReader.parse(bad, "bad.index"), "flip at " + at);
            assertTrue(e.getMessage().startsWith("bad.index: "), e.getMessage());
        }
    }

    @Test
    void clearErrorsForChecksumMagicTruncationAndSnappy() {
        byte[] good = TestBundles.table(entries(10), 4, 2, 0);
        byte[] bad = good.clone();
        bad[3] ^= 0x40; // inside the first data block
        TensorBundleFormatException e = assertThrows(TensorBundleFormatException.class, () -> SsTableReader.parse(bad, "x.index"));
        assertTrue(e.getMessage().contains("data block at 0: block checksum mismatch"), e.getMessage());
        e = assertThrows(TensorBundleFormatException.class, () -> SsTableReader.parse(Arrays.copyOf(good, good.length - 1), "x.index"));
        assertTrue(e.getMessage().contains("bad footer magic"), e.getMessage());
        e = assertThrows(TensorBundleFormatException.class, () -> SsTableReader.parse(new byte[10], "x.index"));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        e = assertThrows(TensorBundleFormatException.class,
                () -> SsTableReader.parse(TestBundles.table(entries(3), 4, 2, 1), "x.index"));
        assertTrue(e.getMessage().contains("Snappy"), e.getMessage());
    }
}
