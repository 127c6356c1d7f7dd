package io.github.attiocamel.mirror;

/** The two mirrored collections; both tables share one column layout apart from their key names. */
public enum MirrorKind {
    RECORDS("mirror_record", "object_slug", "record_id", "object_id"),
    ENTRIES("mirror_entry", "list_slug", "entry_id", "list_id");

    final String table;
    final String containerColumn;
    final String idColumn;
    final String containerIdColumn;

    MirrorKind(String table, String containerColumn, String idColumn, String containerIdColumn) {
        this.table = table;
        this.containerColumn = containerColumn;
        this.idColumn = idColumn;
        this.containerIdColumn = containerIdColumn;
    }
}
