package io.sparklora.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The official REFS/HYPS format and the one-number-per-line GLUE files, including their errors. */
class MetricFilesTest {
    @TempDir Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    @Test
    void readsBlankLineSeparatedReferences() throws IOException {
        Path refs = write("refs.txt", "\uFEFFa one\r\n a two \r\n\r\nb one\n\n\n");
        Path hyps = write("hyps.txt", "A\n\n");
        E2eFiles.Data data = E2eFiles.read(refs, hyps);
        assertEquals(List.of(List.of("a one", "a two"), List.of("b one")), data.references());
        assertEquals(List.of("A", ""), data.hypotheses());
    }

    @Test
    void fileWithoutBlankLinesHoldsOneReferencePerInstance() throws IOException {
        E2eFiles.Data data = E2eFiles.read(write("r", "x\ny\nz\n"), write("h", "1\n2\n3\n"));
        assertEquals(List.of(List.of("x"), List.of("y"), List.of("z")), data.references());
        E2eFiles.Data one = E2eFiles.read(write("r1", "x\ny\n"), write("h1", "1\n"));
        assertEquals(List.of(List.of("x", "y")), one.references());
    }

    @Test
    void reportsBadE2eFiles() throws IOException {
        MetricInputException mismatch = assertThrows(MetricInputException.class,
                () -> E2eFiles.read(write("r", "a\n\nb\n"), write("h", "1\n2\n3\n")));
        assertTrue(mismatch.getMessage().contains("2 instances") && mismatch.getMessage().contains("3 outputs"),
                mismatch.getMessage());
        MetricInputException doubleBlank = assertThrows(MetricInputException.class,
                () -> E2eFiles.read(write("r2", "a\n\n\nb\n"), write("h2", "1\n2\n")));
        assertTrue(doubleBlank.getMessage().contains("r2:3"), doubleBlank.getMessage());
        assertThrows(MetricInputException.class, () -> E2eFiles.read(write("r3", "\n\n"), write("h3", "1\n")));
        assertThrows(MetricInputException.class, () -> E2eFiles.read(write("r4", "a\n"), write("h4", "")));
        assertThrows(MetricInputException.class, () -> E2eFiles.read(dir.resolve("missing"), write("h5", "1\n")));
        Path latin1 = dir.resolve("latin1");
        Files.write(latin1, new byte[] {'c', 'a', 'f', (byte) 0xE9, '\n'});
        assertThrows(MetricInputException.class, () -> E2eFiles.read(latin1, write("h6", "1\n")));
    }

    @Test
    void readsGlueValues() throws IOException {
        assertArrayEquals(new double[] {1, 0, 2.5, -1e-3}, GlueFiles.readValues(write("p", "1\n0\r\n 2.5 \n-1e-3")), 0.0);
    }

    @Test
    void reportsBadGlueFiles() throws IOException {
        MetricInputException nonNumeric = assertThrows(MetricInputException.class,
                () -> GlueFiles.readValues(write("p1", "1\nentailment\n")));
        assertTrue(nonNumeric.getMessage().contains("p1:2") && nonNumeric.getMessage().contains("entailment"),
                nonNumeric.getMessage());
        assertThrows(MetricInputException.class, () -> GlueFiles.readValues(write("p2", "")));
        assertThrows(MetricInputException.class, () -> GlueFiles.readValues(write("p3", "1\n\n0\n")));
        assertThrows(MetricInputException.class, () -> GlueFiles.readValues(write("p4", "NaN\n")));
        assertThrows(MetricInputException.class, () -> GlueFiles.readValues(write("p5", "1d\n")));
        MetricInputException counts = assertThrows(MetricInputException.class,
                () -> GlueFiles.readPair(write("p6", "1\n0\n"), write("l6", "1\n")));
        assertTrue(counts.getMessage().contains("2 lines") && counts.getMessage().contains("has 1"), counts.getMessage());
    }
}
