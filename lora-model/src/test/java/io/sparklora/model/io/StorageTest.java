package io.sparklora.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageTest {
    @TempDir Path tmp;
    private final Storage storage = new Storage();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void plainPathsAndFileUrisReachTheSameFiles() throws Exception {
        String plain = tmp.resolve("a/b/c.txt").toString();
        String uri = tmp.resolve("a/b/c.txt").toUri().toString();
        storage.writeAtomically(plain, false, out -> out.write(utf8("hello")));
        assertTrue(storage.exists(uri));
        assertEquals(5, storage.length(uri));
        assertArrayEquals(utf8("hello"), storage.readAllBytes(uri, 5));
        try (InputStream in = storage.open(plain)) {
            assertArrayEquals(utf8("hello"), in.readAllBytes());
        }
        assertEquals(tmp.resolve("a/b/c.txt"), storage.localPath(uri).orElseThrow());
        assertTrue(storage.qualify(plain).startsWith("file:"));
        assertTrue(storage.isDirectory(tmp.resolve("a").toString()));
        assertFalse(storage.isDirectory(plain));
    }

    @Test
    void overwriteSemantics() throws Exception {
        String p = tmp.resolve("f.bin").toString();
        storage.writeAtomically(p, false, out -> out.write(utf8("one")));
        assertThrows(FileAlreadyExistsException.class, () -> storage.writeAtomically(p, false, out -> out.write(utf8("two"))));
        assertArrayEquals(utf8("one"), Files.readAllBytes(Path.of(p)), "untouched when overwrite is false");
        storage.writeAtomically(p, true, out -> out.write(utf8("three")));
        assertArrayEquals(utf8("three"), Files.readAllBytes(Path.of(p)));
        assertEquals(List.of("f.bin"), names(tmp), "no temporary or .crc files");
    }

    @Test
    void failedWriteLeavesNothingBehindAndKeepsTheOldFile() throws Exception {
        String p = tmp.resolve("g.bin").toString();
        IOException e = assertThrows(IOException.class, () -> storage.writeAtomically(p, true, out -> {
            out.write(utf8("partial"));
            throw new IOException("boom");
        }));
        assertEquals("boom", e.getMessage());
        assertEquals(List.of(), names(tmp));
        storage.writeAtomically(p, true, out -> out.write(utf8("old")));
        assertThrows(IOException.class, () -> storage.writeAtomically(p, true, out -> {
            throw new IOException("boom");
        }));
        assertArrayEquals(utf8("old"), Files.readAllBytes(Path.of(p)));
        assertEquals(List.of("g.bin"), names(tmp));
    }

    @Test
    void readAllBytesIsBounded() throws Exception {
        String p = tmp.resolve("big.bin").toString();
        storage.writeAtomically(p, false, out -> out.write(new byte[1000]));
        IOException e = assertThrows(IOException.class, () -> storage.readAllBytes(p, 999));
        assertTrue(e.getMessage().contains("1000 bytes") && e.getMessage().contains("999"), e.getMessage());
        assertEquals(1000, storage.readAllBytes(p, 1000).length);
        assertThrows(IllegalArgumentException.class, () -> storage.readAllBytes(p, -1));
        assertThrows(java.io.FileNotFoundException.class, () -> storage.readAllBytes(tmp.resolve("missing").toString(), 10));
    }

    @Test
    void listAndMkdirs() throws Exception {
        String d = tmp.resolve("x/y").toString();
        storage.mkdirs(d);
        storage.mkdirs(d);
        storage.writeAtomically(d + "/b", false, out -> {});
        storage.writeAtomically(d + "/a", false, out -> {});
        List<String> l = storage.list(d);
        assertEquals(2, l.size());
        assertTrue(l.get(0).endsWith("/a") && l.get(1).endsWith("/b"), l.toString());
        assertTrue(storage.delete(d, true));
        assertFalse(storage.exists(d));
        assertThrows(IllegalArgumentException.class, () -> storage.exists(" "));
    }

    private static List<String> names(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
