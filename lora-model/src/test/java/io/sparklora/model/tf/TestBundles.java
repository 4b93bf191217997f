package io.sparklora.model.tf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Test-only writers for LevelDB tables, protobuf fields and tensor bundles, following the same format
 * description as the readers; the real BERT checkpoint (BertTfImportTest) is the independent check that
 * reader and format agree.
 */
final class TestBundles {
    private TestBundles() {}

    static final class Proto {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(long v) {
            while ((v & ~0x7fL) != 0) {
                out.write((int) ((v & 0x7f) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        Proto tag(int field, int wire) {
            return varint((long) field << 3 | wire);
        }

        Proto varintField(int field, long v) {
            return tag(field, 0).varint(v);
        }

        Proto fixed32Field(int field, int v) {
            tag(field, 5);
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
            return this;
        }

        Proto bytesField(int field, byte[] b) {
            tag(field, 2).varint(b.length);
            out.writeBytes(b);
            return this;
        }

        Proto raw(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** A table with entries in key order, {@code perBlock} entries per data block, a restart every {@code restartInterval}. */
    static byte[] table(TreeMap<String, byte[]> entries, int perBlock, int restartInterval, int blockType) {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        List<String> keys = new ArrayList<>(entries.keySet());
        TreeMap<String, byte[]> index = new TreeMap<>();
        for (int start = 0; start < keys.size(); start += perBlock) {
            List<String> ks = keys.subList(start, Math.min(keys.size(), start + perBlock));
            TreeMap<String, byte[]> blockEntries = new TreeMap<>();
            for (String k : ks) {
                blockEntries.put(k, entries.get(k));
            }
            long off = file.size();
            byte[] block = block(blockEntries, restartInterval);
            writeBlock(file, block, blockType);
            index.put(ks.get(ks.size() - 1), new Proto().varint(off).varint(block.length).bytes());
        }
        long metaOff = file.size();
        byte[] meta = block(new TreeMap<>(), 1);
        writeBlock(file, meta, 0);
        long indexOff = file.size();
        byte[] indexBlock = block(index, 1);
        writeBlock(file, indexBlock, 0);
        byte[] handles = new Proto().varint(metaOff).varint(meta.length).varint(indexOff).varint(indexBlock.length).bytes();
        byte[] footer = Arrays.copyOf(handles, 48);
        ByteBuffer.wrap(footer).order(ByteOrder.LITTLE_ENDIAN).putLong(40, SsTableReader.MAGIC);
        file.writeBytes(footer);
        return file.toByteArray();
    }

    static byte[] block(TreeMap<String, byte[]> entries, int restartInterval) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        List<Integer> restarts = new ArrayList<>();
        byte[] prev = new byte[0];
        int i = 0;
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
            int shared = 0;
            if (i % restartInterval == 0) {
                restarts.add(b.size());
            } else {
                while (shared < prev.length && shared < key.length && prev[shared] == key[shared]) {
                    shared++;
                }
            }
            b.writeBytes(new Proto().varint(shared).varint(key.length - shared).varint(e.getValue().length).bytes());
            b.write(key, shared, key.length - shared);
            b.writeBytes(e.getValue());
            prev = key;
            i++;
        }
        if (restarts.isEmpty()) {
            restarts.add(0);
        }
        ByteBuffer r = ByteBuffer.allocate(4 * restarts.size() + 4).order(ByteOrder.LITTLE_ENDIAN);
        restarts.forEach(r::putInt);
        r.putInt(restarts.size());
        b.writeBytes(r.array());
        return b.toByteArray();
    }

    private static void writeBlock(ByteArrayOutputStream file, byte[] block, int type) {
        file.writeBytes(block);
        CRC32C c = new CRC32C();
        c.update(block);
        c.update(type);
        file.write(type);
        file.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(Crc32c.mask((int) c.getValue())).array());
    }

    /** A one-shard bundle of float tensors at {@code dir/name}.{index,data-00000-of-00001}; returns the prefix. */
    static Path floatBundle(Path dir, String name, Map<String, float[]> tensors, Map<String, long[]> shapes) throws IOException {
        TreeMap<String, byte[]> entries = new TreeMap<>();
        entries.put("", new Proto().varintField(1, 1).bytes());
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Map.Entry<String, float[]> t : tensors.entrySet()) {
            ByteBuffer b = ByteBuffer.allocate(4 * t.getValue().length).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : t.getValue()) {
                b.putFloat(f);
            }
            byte[] bytes = b.array();
            CRC32C c = new CRC32C();
            c.update(bytes);
            Proto shape = new Proto();
            for (long d : shapes.get(t.getKey())) {
                shape.bytesField(2, new Proto().varintField(1, d).bytes());
            }
            entries.put(t.getKey(), new Proto().varintField(1, TfDataType.DT_FLOAT.code()).bytesField(2, shape.bytes())
                    .varintField(4, data.size()).varintField(5, bytes.length).fixed32Field(6, Crc32c.mask((int) c.getValue()))
                    .bytes());
            data.writeBytes(bytes);
        }
        Files.createDirectories(dir);
        Files.write(dir.resolve(name + ".index"), table(entries, 2, 2, 0));
        Files.write(dir.resolve(name + ".data-00000-of-00001"), data.toByteArray());
        return dir.resolve(name);
    }
}
