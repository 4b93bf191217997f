package io.sparklora.data.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklora.data.TestFiles;
import io.sparklora.data.task.GlueTask;
import io.sparklora.data.task.NlgTask;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The corrupted copies (see resources/corrupt/CORRUPTIONS.md) reject exactly the changed lines. */
class CorruptedLinesTest {

    @Test
    void mrpc() throws Exception {
        ReadAll r = ReadAll.of(GlueTask.MRPC, "dev", TestFiles.resource("corrupt/MRPC_dev_corrupt.tsv"));
        assertEquals(List.of(5L, 10L, 15L, 20L), r.rejects.stream().map(Reject::line).toList());
        assertTrue(r.rejects.get(0).reason().startsWith("wrong column count: 4"), r.rejects.get(0).reason());
        assertTrue(r.rejects.get(1).reason().startsWith("label '2' not in"), r.rejects.get(1).reason());
        assertTrue(r.rejects.get(2).reason().startsWith("empty text"), r.rejects.get(2).reason());
        assertTrue(r.rejects.get(3).reason().startsWith("missing label"), r.rejects.get(3).reason());
        assertEquals(26, r.examples.size());
        // indices count every data row, rejected or not: line n holds data row n-2
        r.examples.forEach(e -> assertEquals(e.line() - 2, e.index()));
        // the BOM is not part of the header, and the first row is intact
        assertEquals(2, r.examples.get(0).line());
    }

    @Test
    void sst2() throws Exception {
        ReadAll r = ReadAll.of(GlueTask.SST2, "dev", TestFiles.resource("corrupt/SST-2_dev_corrupt.tsv"));
        assertEquals(1, r.rejects.size());
        assertEquals(8, r.rejects.get(0).line());
        assertTrue(r.rejects.get(0).raw().endsWith("\textra"));
        assertEquals(39, r.examples.size());
    }

    @Test
    void stsb() throws Exception {
        ReadAll r = ReadAll.of(GlueTask.STSB, "dev", TestFiles.resource("corrupt/STS-B_dev_corrupt.tsv"));
        assertEquals(List.of(4L, 6L), r.rejects.stream().map(Reject::line).toList());
        assertTrue(r.rejects.get(0).reason().contains("outside [0, 5]"));
        assertTrue(r.rejects.get(1).reason().contains("not a number"));
        assertEquals(18, r.examples.size());
    }

    @Test
    void e2eCsv() throws Exception {
        ReadAll r = ReadAll.of(NlgTask.E2E, "dev", TestFiles.resource("corrupt/e2e_devset_corrupt.csv"));
        assertEquals(List.of(7L, 12L), r.rejects.stream().map(Reject::line).toList());
        assertTrue(r.rejects.get(0).reason().startsWith("wrong column count"), r.rejects.get(0).reason());
        assertEquals("empty reference", r.rejects.get(1).reason());
        assertEquals(23, r.examples.size());
    }

    @Test
    void loraText() throws Exception {
        ReadAll r = ReadAll.of(NlgTask.E2E, "dev", TestFiles.resource("corrupt/e2e_valid_corrupt.txt"));
        assertEquals(1, r.rejects.size());
        assertEquals(3, r.rejects.get(0).line());
        assertTrue(r.rejects.get(0).reason().contains("'||'"));
        assertEquals(19, r.examples.size());
    }
}
