package io.sparklora.data.read;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklora.data.TestFiles;
import io.sparklora.data.task.NlgTask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Contexts and completions equal what microsoft/LoRA's format converters produce (see oracle/README.md). */
class LoraConverterOracleTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void dart() throws Exception {
        ReadAll r = ReadAll.of(NlgTask.DART, "dev", TestFiles.resource("nlg/dart_dev_head.json"));
        assertMatches(r, "oracle/dart_dev_head.formatted.jsonl");
        assertEquals(0, r.rejects.size());
    }

    @Test
    void webnlg() throws Exception {
        ReadAll r = ReadAll.of(NlgTask.WEBNLG, "dev", TestFiles.resource("nlg/webnlg_dev_head.json"));
        assertMatches(r, "oracle/webnlg_dev_head.formatted.jsonl");
        // entry 5 holds two lexicalisations marked toFix, which LoRA drops
        assertEquals(2, r.rejects.size());
        r.rejects.forEach(j -> org.junit.jupiter.api.Assertions.assertTrue(j.reason().contains("toFix")));
    }

    @Test
    void e2eLoraText() throws Exception {
        ReadAll r = ReadAll.of(NlgTask.E2E, "dev", TestFiles.repoData().resolve("e2e/valid.txt"));
        assertMatches(r, "oracle/e2e_valid_sample.formatted.jsonl");
    }

    private static void assertMatches(ReadAll r, String oracle) throws Exception {
        List<String> lines = Files.readAllLines(TestFiles.resource(oracle));
        assertEquals(lines.size(), r.examples.size());
        for (int i = 0; i < lines.size(); i++) {
            JsonNode o = MAPPER.readTree(lines.get(i));
            assertEquals(o.get("context").asText(), r.examples.get(i).textA(), oracle + " line " + (i + 1));
            assertEquals(o.get("completion").asText(), r.examples.get(i).textB(), oracle + " line " + (i + 1));
        }
    }
}
