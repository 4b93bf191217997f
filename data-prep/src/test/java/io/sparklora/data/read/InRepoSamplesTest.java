package io.sparklora.data.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sparklora.data.TestFiles;
import io.sparklora.data.task.GlueTask;
import io.sparklora.data.task.NlgTask;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The in-repo samples read completely, and the CSV linearisation agrees with microsoft/LoRA's text files. */
class InRepoSamplesTest {

    private final Path data = TestFiles.repoData();

    @Test
    void glueSamples() throws Exception {
        assertCounts(GlueTask.SST2, "train", "glue/SST-2/train.tsv", 4000);
        assertCounts(GlueTask.SST2, "dev", "glue/SST-2/dev.tsv", 872);
        assertCounts(GlueTask.MRPC, "train", "glue/MRPC/train.tsv", 400);
        assertCounts(GlueTask.MRPC, "dev", "glue/MRPC/dev.tsv", 200);
        assertCounts(GlueTask.STSB, "train", "glue/STS-B/train.tsv", 400);
        assertCounts(GlueTask.STSB, "dev", "glue/STS-B/dev.tsv", 200);
        // SST-2 sample class balance as recorded in data/ATTRIBUTION.md
        ReadAll r = ReadAll.of(GlueTask.SST2, "train", data.resolve("glue/SST-2/train.tsv"));
        assertEquals(2248, r.countLabel(1));
        assertEquals(1752, r.countLabel(0));
        Example first = ReadAll.of(GlueTask.MRPC, "dev", data.resolve("glue/MRPC/dev.tsv")).examples.get(0);
        assertEquals(1, first.label());
        assertEquals("He said the foodservice pie business doesn 't fit the company 's long-term growth strategy .",
                first.textA());
    }

    @Test
    void e2eCsvAndLoraTextGiveTheSameExamplesUpToLorasWordTokenization() throws Exception {
        ReadAll csv = ReadAll.of(NlgTask.E2E, "dev", data.resolve("e2e/devset.csv"));
        ReadAll txt = ReadAll.of(NlgTask.E2E, "dev", data.resolve("e2e/valid.txt"));
        assertEquals(0, csv.rejects.size());
        assertEquals(0, txt.rejects.size());
        assertEquals(434, csv.examples.size());
        assertEquals(434, txt.examples.size());
        int exactContexts = 0;
        for (int i = 0; i < 434; i++) {
            Example c = csv.examples.get(i);
            Example t = txt.examples.get(i);
            // LoRA's files were word-tokenized after linearisation; spaces are all that may differ
            assertEquals(t.textA().replace(" ", ""), c.textA().replace(" ", ""), "context of row " + i);
            assertEquals(t.textB().replace(" ", ""), c.textB().replace(" ", ""), "reference of row " + i);
            assertEquals(t.promptId(), c.promptId());
            if (t.textA().equals(c.textA())) {
                exactContexts++;
            }
        }
        assertEquals(49, txt.examples.get(433).promptId());
        // most MRs need no word tokenization at all
        org.junit.jupiter.api.Assertions.assertTrue(exactContexts > 300, "exact contexts: " + exactContexts);
    }

    @Test
    void e2eTrainSample() throws Exception {
        ReadAll r = ReadAll.of(NlgTask.E2E, "train", data.resolve("e2e/trainset.csv"));
        assertEquals(0, r.rejects.size());
        assertEquals(400, r.examples.size());
    }

    @Test
    void e2eMrOnlyTestFileHasNoReferences() throws Exception {
        String csv = "MR\r\n\"name[Blue Spice], eatType[coffee shop], area[city centre]\"\r\n";
        var it = new E2eCsvReader().read("testset.csv",
                new java.io.ByteArrayInputStream(csv.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        Example e = it.next().example();
        assertEquals("name : Blue Spice | Type : coffee shop | area : city centre", e.textA());
        assertNull(e.textB());
        assertEquals(2, e.line());
        org.junit.jupiter.api.Assertions.assertFalse(it.hasNext());
    }

    private void assertCounts(GlueTask task, String split, String file, int rows) throws Exception {
        ReadAll r = ReadAll.of(task, split, data.resolve(file));
        assertEquals(0, r.rejects.size(), file + " rejects " + r.rejects);
        assertEquals(rows, r.examples.size(), file);
    }
}
