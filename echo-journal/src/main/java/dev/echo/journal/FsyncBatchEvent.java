package dev.echo.journal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A JDK Flight Recorder event per group-commit batch of the journal writer (docs/operations.md, "Flight
 * recordings"): its duration is the force, and it says how many bytes and groups the force covered. Committed by the
 * writer thread; free while no recording asks for it.
 */
@Name("dev.echo.FsyncBatch")
@Label("Journal Fsync Batch")
@Category({"Echo", "Storage"})
@Description("One force of the journal and what it made durable")
@StackTrace(false)
final class FsyncBatchEvent extends Event {
    @Label("Node")
    String node;

    @Label("Bytes")
    @Description("Record bytes written since the previous force")
    @DataAmount
    long bytes;

    @Label("Groups")
    @Description("Groups whose persists this force acknowledged")
    int groups;
}
