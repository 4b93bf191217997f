package io.sparklora.job.bench;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prints each {@code RESULT} line and appends the same record as one JSON line (plus date, host, CPU
 * model and command line) to the results file. One write per line, so concurrent appenders do not
 * interleave inside a record.
 */
public final class ResultSink {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final Path jsonl;
    private final String command;
    private final String host = hostName();
    private final String cpu = cpuModel();

    /** @param jsonl the JSON-lines file to append to, or null for stdout only */
    public ResultSink(PrintStream out, Path jsonl, String command) {
        this.out = java.util.Objects.requireNonNull(out, "out");
        this.jsonl = jsonl;
        this.command = command == null ? "" : command;
    }

    public void emit(BenchResult r) {
        out.println(r.line());
        out.flush();
        if (jsonl == null) {
            return;
        }
        Map<String, Object> record = new LinkedHashMap<>(r.fields());
        record.put("date", OffsetDateTime.now(ZoneOffset.UTC).toString());
        record.put("host", host);
        record.put("cpu", cpu);
        record.put("command", command);
        try {
            Path parent = jsonl.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(jsonl, (JSON.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append the result to " + jsonl, e);
        }
    }

    /** What {@code uname -n} prints. */
    static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException | RuntimeException e) {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException ex) {
                return "unknown";
            }
        }
    }

    /** The first {@code model name} of /proc/cpuinfo. */
    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch", "unknown");
    }
}
