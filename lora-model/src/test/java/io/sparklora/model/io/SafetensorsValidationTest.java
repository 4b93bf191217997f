package io.sparklora.model.io;

import static io.sparklora.model.io.SafetensorsTestFiles.file;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per validation rule of {@link SafetensorsReader}: each must name the file and say what was expected. */
class SafetensorsValidationTest {
    @TempDir Path tmp;

    private static String fails(byte[] bytes, String... fragments) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class,
                () -> SafetensorsReader.open(bytes, "bad.safetensors").close());
        String m = e.getMessage();
        assertTrue(m.startsWith("bad.safetensors: "), "names the file: " + m);
        for (String f : fragments) {
            assertTrue(m.contains(f), "message should contain '" + f + "': " + m);
        }
        return m;
    }

    private static final String ONE = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    @Test
    void validMinimalFileOpens() throws Exception {
        try (SafetensorsReader r = SafetensorsReader.open(file(ONE, 8), "ok")) {
            assertEquals(1, r.tensors().size());
        }
        try (SafetensorsReader r = SafetensorsReader.open(file("{}", 0), "empty")) {
            assertEquals(0, r.tensors().size());
        }
    }

    @Test
    void truncatedInsideTheData() throws Exception {
        byte[] full = SafetensorsTestFiles.sample().toByteArray();
        byte[] cut = Arrays.copyOf(full, full.length - 3);
        fails(cut, "run past the end of the data section", "truncated");
        // the same on a real file on disk
        Path p = tmp.resolve("cut.safetensors");
        Files.write(p, cut);
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsReader.open(p));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
    }

    @Test
    void truncatedInsideTheHeaderOrLength() {
        byte[] full = file(ONE, 8);
        fails(Arrays.copyOf(full, 20), "truncated", "header length is " + ONE.length());
        fails(Arrays.copyOf(full, 5), "truncated", "at least 8 bytes", "found 5");
    }

    @Test
    void headerLengthTooLarge() {
        fails(file(100_000_001L, ONE.getBytes(StandardCharsets.US_ASCII), 8), "exceeds the limit of 100000000");
        fails(file(-1L, ONE.getBytes(StandardCharsets.US_ASCII), 8), "18446744073709551615", "exceeds the limit");
    }

    @Test
    void offsetsOutOfRange() {
        fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4), "tensor 'a'", "past the end");
        fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 8), "tensor 'a'", "end before they begin");
        fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,-4]}}", 8), "tensor 'a'", "non-negative");
        fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 8), "tensor 'a'", "must have 2 elements");
    }

    @Test
    void overlappingTensors() {
        fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "'b'", "overlap tensor 'a'");
    }

    @Test
    void gapsAndTrailingBytesAreRefused() {
        fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12), "'b'", "expected 4", "gaps");
        fails(file(ONE, 12), "data section has 12 bytes but the tensors cover 8");
    }

    @Test
    void unknownDtype() {
        fails(file("{\"a\":{\"dtype\":\"F31\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "tensor 'a'", "unknown safetensors dtype 'F31'");
        fails(file("{\"a\":{\"dtype\":7,\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "tensor 'a'", "'dtype'");
    }

    @Test
    void wrongByteCount() {
        fails(file("{\"a\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,8]}}", 8), "tensor 'a'", "hold 8 bytes, expected 12");
        fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}", 8),
                "tensor 'a'", "more elements than fit");
        fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8), "'shape'[0]", "non-negative");
        fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,8]}}", 8), "'shape'[0]");
    }

    @Test
    void nonJsonHeader() {
        fails(file("{\"a\": nope}", 0), "not valid JSON");
        fails(file("[1,2]", 0), "does not start with '{'");
        fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}} xx", 8), "not valid JSON");
        byte[] badUtf8 = "{\"\u00e9\":1}".getBytes(StandardCharsets.ISO_8859_1);
        fails(file(badUtf8.length, badUtf8, 0), "not valid JSON");
    }

    @Test
    void duplicateKeysUnknownFieldsAndBadMetadata() {
        fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "not valid JSON", "'a'");
        fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", 4), "unexpected field 'x'");
        fails(file("{\"__metadata__\":{\"k\":1}}", 0), "'__metadata__' key 'k'", "expected a string");
        fails(file("{\"__metadata__\":[]}", 0), "'__metadata__' must be an object");
        fails(file("{\"a\":[]}", 0), "tensor 'a'", "expected an object");
    }

    @Test
    void headerPaddedWithSpacesIsAccepted() throws Exception {
        try (SafetensorsReader r = SafetensorsReader.open(file(ONE + "      ", 8), "padded")) {
            assertEquals(2, r.readFloats("a").length);
        }
    }
}
