package io.sparklora.data.read;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;

/**
 * Reads one raw task file into parsed rows. Implementations stream where the format allows, so a large
 * file does not have to fit in memory. The caller owns and closes the stream.
 */
public interface ExampleReader {

    /**
     * @param file the name of the file, used in examples and rejects
     * @param in the raw bytes (UTF-8; a leading byte-order mark is ignored)
     * @throws IOException when the stream cannot be read, or the file as a whole is not in the
     *     expected format (wrong header, not JSON); single bad records become {@link Reject}s instead
     */
    Iterator<ParsedRow> read(String file, InputStream in) throws IOException;
}
