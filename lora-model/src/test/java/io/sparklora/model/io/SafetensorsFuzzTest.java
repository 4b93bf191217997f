package io.sparklora.model.io;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Seeded random mutations of valid files for a bounded time: opening and reading every tensor must either
 * succeed or throw {@link SafetensorsFormatException}; any other exception or error (OOM, index out of
 * bounds, ...) fails the test with the seed and iteration that reproduce it.
 */
class SafetensorsFuzzTest {
    private static final long SEED = 20261123L;
    private static final long BUDGET_NANOS = 3_000_000_000L;

    @Test
    void mutatedFilesFailOnlyWithTheDocumentedException() {
        byte[][] seeds = {
            SafetensorsTestFiles.sample().toByteArray(),
            new SafetensorsWriter().addFloats("x", new long[] {3}, new float[] {1, 2, 3}).toByteArray(),
            SafetensorsTestFiles.file("{}", 0),
        };
        Random rnd = new Random(SEED);
        long start = System.nanoTime();
        int iterations = 0;
        int accepted = 0;
        while (System.nanoTime() - start < BUDGET_NANOS) {
            byte[] base = seeds[rnd.nextInt(seeds.length)];
            byte[] m = mutate(base, rnd);
            iterations++;
            try (SafetensorsReader r = SafetensorsReader.open(m, "fuzz")) {
                for (TensorInfo t : r.tensors().values()) {
                    r.readRaw(t.name());
                    if (t.dtype().isFloating()) {
                        r.readFloats(t.name());
                    } else {
                        r.readLongs(t.name());
                    }
                }
                accepted++;
            } catch (SafetensorsFormatException e) {
                // documented outcome
            } catch (Throwable t) {
                fail("seed " + SEED + ", iteration " + iterations + ": " + t + " for input "
                        + Arrays.toString(Arrays.copyOf(m, Math.min(m.length, 200))), t);
            }
        }
        LoggerFactory.getLogger(SafetensorsFuzzTest.class).info("fuzz: {} inputs, {} accepted", iterations, accepted);
        assertTrue(iterations > 1000, "fuzzed only " + iterations + " inputs");
        assertTrue(accepted > 0 && accepted < iterations, "mutations should sometimes keep and sometimes break validity: "
                + accepted + "/" + iterations);
    }

    private static byte[] mutate(byte[] base, Random rnd) {
        byte[] m = base.clone();
        int kind = rnd.nextInt(8);
        switch (kind) {
            case 0: // flip a few random bits
                for (int i = 1 + rnd.nextInt(4); i > 0 && m.length > 0; i--) {
                    m[rnd.nextInt(m.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
                return m;
            case 1: // truncate
                return Arrays.copyOf(m, rnd.nextInt(m.length + 1));
            case 2: // random header length
                if (m.length >= 8) {
                    long v = rnd.nextBoolean() ? rnd.nextLong() : rnd.nextInt(m.length + 16);
                    ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v);
                }
                return m;
            case 3: // rewrite a digit inside the JSON (shapes, offsets)
            case 4: {
                String s = new String(m, StandardCharsets.ISO_8859_1);
                int hdrEnd = (int) Math.min(m.length, 8 + Math.max(0, Math.min(m.length, ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).getLong(0))));
                for (int tries = 0; tries < 20 && hdrEnd > 8; tries++) {
                    int i = 8 + rnd.nextInt(hdrEnd - 8);
                    if (Character.isDigit(s.charAt(i))) {
                        String rep = rnd.nextInt(4) == 0 ? "99999999999999999999" : Integer.toString(rnd.nextInt(kind == 3 ? 10 : 100000));
                        String out = s.substring(0, i) + rep + s.substring(i + 1);
                        byte[] b = out.getBytes(StandardCharsets.ISO_8859_1);
                        // keep the declared length consistent so the JSON itself gets parsed
                        long n = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).getLong(0) + rep.length() - 1;
                        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n);
                        return b;
                    }
                }
                return m;
            }
            case 5: { // replace a JSON token-ish byte by a structural character
                if (m.length > 8) {
                    byte[] special = "{}[]\",:-.e\\ 0".getBytes(StandardCharsets.US_ASCII);
                    m[8 + rnd.nextInt(m.length - 8)] = special[rnd.nextInt(special.length)];
                }
                return m;
            }
            case 6: { // insert or delete bytes
                int at = rnd.nextInt(m.length + 1);
                if (rnd.nextBoolean() && at < m.length) {
                    int len = 1 + rnd.nextInt(Math.min(16, m.length - at));
                    byte[] out = new byte[m.length - len];
                    System.arraycopy(m, 0, out, 0, at);
                    System.arraycopy(m, at + len, out, at, m.length - at - len);
                    return out;
                }
                byte[] ins = new byte[1 + rnd.nextInt(16)];
                rnd.nextBytes(ins);
                byte[] out = new byte[m.length + ins.length];
                System.arraycopy(m, 0, out, 0, at);
                System.arraycopy(ins, 0, out, at, ins.length);
                System.arraycopy(m, at, out, at + ins.length, m.length - at);
                return out;
            }
            default: // garbage of a random length
                byte[] g = new byte[rnd.nextInt(64)];
                rnd.nextBytes(g);
                return g;
        }
    }
}
