package io.sparklora.data.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklora.data.task.GlueTask;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Layouts of the GLUE files not bundled here (test splits, MNLI, QQP), written out from the GLUE format. */
class GlueLayoutTest {

    @Test
    void sst2TestSplitHasIndexAndSentenceButNoLabel() throws IOException {
        List<ParsedRow> rows = read(GlueTask.SST2, "test", "index\tsentence\n0\tuneasy mishmash of styles\n");
        Example e = rows.get(0).example();
        assertEquals("uneasy mishmash of styles", e.textA());
        assertFalse(e.hasLabel());
        assertNull(e.textB());
    }

    @Test
    void mnliLabelIsTheLastFieldWhateverTheWidth() throws IOException {
        String header = String.join("\t", "index", "promptID", "pairID", "genre", "s1bp", "s2bp", "s1p", "s2p",
                "sentence1", "sentence2", "label1", "label2", "label3", "label4", "label5", "gold_label");
        String dev = String.join("\t", "0", "1", "2", "g", "x", "x", "x", "x", "A premise .", "A hypothesis .",
                "neutral", "neutral", "contradiction", "neutral", "neutral", "neutral");
        String train = String.join("\t", "0", "1", "2", "g", "x", "x", "x", "x", "P .", "H .", "contradiction",
                "contradiction");
        List<ParsedRow> rows = read(GlueTask.MNLI, "dev_matched", header + "\n" + dev + "\n" + train + "\n");
        assertEquals(1, rows.get(0).example().label());
        assertEquals("A hypothesis .", rows.get(0).example().textB());
        assertEquals(2, rows.get(1).example().label());
        List<ParsedRow> bad = read(GlueTask.MNLI, "train", header + "\n" + "0\t1\t2\tg\tP\tH\tentailment\n");
        assertTrue(bad.get(0).isReject());
        assertTrue(bad.get(0).reject().reason().contains("at least 12"), bad.get(0).reject().reason());
    }

    @Test
    void qqpLabelsAndCarriageReturnsStayInsideFields() throws IOException {
        String header = "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate";
        List<ParsedRow> rows = read(GlueTask.QQP, "train",
                header + "\r\n1\t2\t3\tWhy \"this?\tWhy\rthat?\t1\r\n2\t4\t5\tonly one question\t0\n");
        assertEquals(1, rows.get(0).example().label());
        assertEquals("Why \"this?", rows.get(0).example().textA());
        assertEquals("Why\rthat?", rows.get(0).example().textB());
        assertTrue(rows.get(1).isReject());
        assertEquals(3, rows.get(1).reject().line());
    }

    @Test
    void wrongHeaderWidthIsAFileError() {
        IOException e = assertThrows(IOException.class, () -> read(GlueTask.STSB, "train", "a\tb\n1\t2\n"));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }

    @Test
    void invalidUtf8AndBlankLinesAreRejectedNotDropped() throws IOException {
        byte[] bad = "sentence\tlabel\nok\t1\n\nbad \u00ff\t0\n".getBytes(StandardCharsets.ISO_8859_1);
        List<ParsedRow> rows = readBytes(GlueTask.SST2, "train", bad);
        assertEquals(3, rows.size());
        assertEquals("empty line", rows.get(1).reject().reason());
        assertEquals("invalid UTF-8", rows.get(2).reject().reason());
        assertEquals(4, rows.get(2).reject().line());
    }

    private static List<ParsedRow> read(GlueTask task, String split, String text) throws IOException {
        return readBytes(task, split, text.getBytes(StandardCharsets.UTF_8));
    }

    private static List<ParsedRow> readBytes(GlueTask task, String split, byte[] bytes) throws IOException {
        Iterator<ParsedRow> it = new GlueTsvReader(task, split).read("mem.tsv", new ByteArrayInputStream(bytes));
        List<ParsedRow> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
