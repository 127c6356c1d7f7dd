package io.github.attiocamel.contacts;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Reads contacts one at a time from a batch file, so a migration of any size runs in constant memory: a JSON array,
 * NDJSON (one object per line; a bad line is a failed row, not a failed file) or CSV with a header row (dotted
 * headers such as {@code company.domain} or {@code pipeline.stage} build the nested objects; empty cells are left
 * out). JSON vs NDJSON is told by the first character.
 */
public final class ContactRows {

    public enum Format { JSON, CSV }

    /** One input row: its 1-based number and either the contact or why it could not be read. */
    public record Row(int rowNo, JsonNode contact, String error) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private ContactRows() {
    }

    public static Format formatOf(String fileName) {
        return fileName.toLowerCase(Locale.ROOT).endsWith(".csv") ? Format.CSV : Format.JSON;
    }

    /** Counts rows, reading the whole file once: a broken JSON array or CSV fails here, before a job is accepted. */
    public static int count(Path file, Format format) {
        int n = 0;
        try (RowIterator rows = open(file, format)) {
            while (rows.hasNext()) {
                rows.next();
                n++;
            }
        }
        return n;
    }

    public static RowIterator open(Path file, Format format) {
        try {
            // a file swapped for a symlink after the drop directory's filter looked is still refused
            return open(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS), format);
        } catch (IOException e) {
            throw new BatchFormatException("cannot read batch: " + e.getMessage());
        }
    }

    /** The rows of a batch read from {@code in}, which the iterator closes. */
    public static RowIterator open(InputStream in, Format format) {
        try {
            try {
                if (format == Format.CSV) {
                    return new CsvRows(in);
                }
                PushbackInputStream pushback = new PushbackInputStream(in, 1);
                int first;
                do {
                    first = pushback.read();
                } while (first == ' ' || first == '\n' || first == '\r' || first == '\t' || first == 0xEF
                        || first == 0xBB || first == 0xBF);
                if (first != -1) {
                    pushback.unread(first);
                }
                return first == '[' ? new ArrayRows(pushback) : new LineRows(pushback);
            } catch (IOException | RuntimeException e) {
                in.close();
                throw e;
            }
        } catch (IOException e) {
            throw new BatchFormatException("cannot read batch: " + e.getMessage());
        }
    }

    /** A batch that cannot be read as a whole (not a row problem): answered 400 / the file is moved to failed. */
    public static final class BatchFormatException extends RuntimeException {
        public BatchFormatException(String message) {
            super(message);
        }
    }

    /** Closeable so Camel's streaming splitter releases the file when the job ends. */
    public abstract static class RowIterator implements Iterator<Row>, Closeable {
        private Row next;
        private boolean closed;
        int rowNo;

        abstract Row read() throws IOException;

        abstract void closeSource();

        @Override
        public boolean hasNext() {
            // the splitter asks once more after closing the iterator at the end of the job
            if (closed) {
                return false;
            }
            if (next == null) {
                try {
                    next = read();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return next != null;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Row row = next;
            next = null;
            return row;
        }

        @Override
        public void close() {
            closed = true;
            closeSource();
        }
    }

    private static final class ArrayRows extends RowIterator {
        private final JsonParser parser;

        ArrayRows(InputStream in) throws IOException {
            parser = new JsonFactory(JSON).createParser(in);
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw new BatchFormatException("expected a JSON array");
            }
        }

        @Override
        Row read() throws IOException {
            try {
                JsonToken token = parser.nextToken();
                if (token == JsonToken.END_ARRAY) {
                    if (parser.nextToken() != null) {
                        throw new BatchFormatException("content after the JSON array");
                    }
                    return null;
                }
                if (token == null) {
                    throw new BatchFormatException("JSON array not closed");
                }
                JsonNode node = parser.readValueAsTree();
                rowNo++;
                return node.isObject() ? new Row(rowNo, node, null) : new Row(rowNo, null, "not a JSON object");
            } catch (JsonProcessingException e) {
                // a parser limit (nesting, string or number length) comes without a location
                throw new BatchFormatException((e.getLocation() == null ? "not readable JSON: "
                        : "not valid JSON at line " + e.getLocation().getLineNr() + ": ") + e.getOriginalMessage());
            }
        }

        @Override
        void closeSource() {
            try {
                parser.close();
            } catch (IOException ignored) {
                // closing a file we only read
            }
        }
    }

    private static final class LineRows extends RowIterator {
        private final BufferedReader reader;

        LineRows(InputStream in) {
            reader = new BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        }

        @Override
        Row read() throws IOException {
            String line;
            do {
                line = reader.readLine();
            } while (line != null && line.isBlank());
            if (line == null) {
                return null;
            }
            rowNo++;
            try {
                JsonNode node = JSON.readTree(line);
                return node.isObject() ? new Row(rowNo, node, null) : new Row(rowNo, null, "not a JSON object");
            } catch (JsonProcessingException e) {
                return new Row(rowNo, null, "not valid JSON: " + e.getOriginalMessage());
            }
        }

        @Override
        void closeSource() {
            try {
                reader.close();
            } catch (IOException ignored) {
                // closing a file we only read
            }
        }
    }

    private static final class CsvRows extends RowIterator {
        private final CSVParser parser;
        private final Iterator<CSVRecord> records;

        CsvRows(InputStream in) throws IOException {
            Reader reader = new java.io.InputStreamReader(in, StandardCharsets.UTF_8);
            parser = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).setTrim(true)
                    .setIgnoreEmptyLines(true).get().parse(reader);
            records = parser.iterator();
        }

        @Override
        Row read() {
            try {
                if (!records.hasNext()) {
                    return null;
                }
                CSVRecord record = records.next();
                rowNo++;
                ObjectNode contact = JSON.createObjectNode();
                for (Map.Entry<String, String> cell : record.toMap().entrySet()) {
                    if (cell.getValue() == null || cell.getValue().isEmpty()) {
                        continue;
                    }
                    ObjectNode target = contact;
                    String[] path = cell.getKey().trim().split("\\.");
                    for (int i = 0; i < path.length - 1; i++) {
                        target = target.has(path[i]) && target.get(path[i]).isObject()
                                ? (ObjectNode) target.get(path[i]) : target.putObject(path[i]);
                    }
                    target.put(path[path.length - 1], cell.getValue());
                }
                return new Row(rowNo, contact, null);
            } catch (UncheckedIOException | IllegalStateException e) {
                throw new BatchFormatException("not valid CSV after row " + rowNo + ": " + e.getMessage());
            }
        }

        @Override
        void closeSource() {
            try {
                parser.close();
            } catch (IOException ignored) {
                // closing a file we only read
            }
        }
    }
}
