package dev.echo.core.runtime;

import dev.echo.core.GroupStatus;
import dev.echo.core.MemberId;
import dev.echo.core.View;
import dev.echo.core.metrics.MetricsSink;
import dev.echo.core.protocol.FollowerHealth;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One group's instruments at one member (issue 24), registered once when the group starts. With
 * {@link MetricsSink#NONE} they do nothing, and the commit latency is not even measured. Thread-safe, as the sink's
 * instruments are.
 */
final class GroupMetrics {
    final MetricsSink.Counter electionsWon;
    final MetricsSink.Counter leaderChanges;
    final MetricsSink.Counter viewChanges;
    final MetricsSink.Histogram commitLatency;
    final MetricsSink.Counter snapshotsTaken;
    final MetricsSink.Counter snapshotBytesSent;
    /** One value per snapshot installed from a leader: its size in bytes. */
    final MetricsSink.Histogram snapshotsInstalled;
    /** One value per snapshot this member took: its size in bytes. */
    final MetricsSink.Histogram snapshotTakenBytes;
    /** One value per snapshot this member took: from asking the state machine's bytes to the snapshot being durable. */
    final MetricsSink.Histogram snapshotWriteTime;
    /** One value per snapshot installed from a leader: restoring the state machine from it. */
    final MetricsSink.Histogram snapshotRestoreTime;
    /** Entries read back from the journal after the log cache evicted them, for a follower behind or the apply. */
    final MetricsSink.Counter logEntriesReadBack;
    /**
     * Whether measuring is worth it: not for {@link MetricsSink#NONE}, where timing a submit would cost a callback and
     * tracking followers a map update each tick.
     */
    final boolean measuring;

    private final MetricsSink sink;
    private final String[] tags;
    /** Entries each follower lacks, as this member last saw it leading; 0 while it does not lead. */
    private final Map<MemberId, AtomicLong> followerLag = new ConcurrentHashMap<>();

    GroupMetrics(MetricsSink sink, String group, MemberId member) {
        this.sink = sink;
        this.tags = new String[] {"group", group, "member", member.value()};
        this.electionsWon = sink.counter("echo.elections.won", "elections this member won", tags);
        this.leaderChanges = sink.counter("echo.leader.changes", "changes of the leader this member follows", tags);
        this.viewChanges = sink.counter("echo.view.changes", "configurations applied at this member", tags);
        this.commitLatency = sink.histogram(
                "echo.commit.latency",
                "from submit to the result, for writes submitted at this member",
                "nanoseconds",
                tags);
        this.snapshotsTaken = sink.counter("echo.snapshots.taken", "snapshots this member took and stored", tags);
        this.snapshotBytesSent =
                sink.counter("echo.snapshot.bytes.sent", "snapshot bytes sent to members behind", tags);
        this.snapshotsInstalled =
                sink.histogram("echo.snapshots.installed", "snapshots installed from a leader, by size", "bytes", tags);
        this.snapshotTakenBytes =
                sink.histogram("echo.snapshot.taken.bytes", "snapshots this member took, by size", "bytes", tags);
        this.snapshotWriteTime = sink.histogram(
                "echo.snapshot.write.duration",
                "writing a snapshot this member took, until durable",
                "nanoseconds",
                tags);
        this.snapshotRestoreTime = sink.histogram(
                "echo.snapshot.restore.duration",
                "restoring the state machine from a snapshot installed from a leader",
                "nanoseconds",
                tags);
        this.logEntriesReadBack = sink.counter(
                "echo.log.entries.read.back",
                "log entries read back from the journal after the log cache evicted them",
                tags);
        this.measuring = sink != MetricsSink.NONE;
    }

    /**
     * Loop thread, once per tick: the leader's followers and how far behind each is (issue 24, "lag per follower at the
     * leader"). A follower's gauge is registered when it first appears and reads 0 while this member does not lead.
     */
    void followersAre(List<FollowerHealth> followers, long lastIndex) {
        if (!measuring) {
            return; // NONE: nothing to register or update
        }
        for (AtomicLong lag : followerLag.values()) {
            lag.set(0);
        }
        for (FollowerHealth follower : followers) {
            AtomicLong lag = followerLag.computeIfAbsent(follower.member(), this::registerFollower);
            lag.set(Math.max(0, lastIndex - follower.matchIndex()));
        }
    }

    private AtomicLong registerFollower(MemberId follower) {
        AtomicLong lag = new AtomicLong();
        sink.gauge(
                "echo.follower.lag",
                "entries of the leader's log a follower lacks, at the leader",
                lag::get,
                tagged("follower", follower.value()));
        return lag;
    }

    /** This group's tags followed by one more key/value pair. */
    private String[] tagged(String key, String value) {
        String[] more = Arrays.copyOf(tags, tags.length + 2);
        more[tags.length] = key;
        more[tags.length + 1] = value;
        return more;
    }

    /** Gauges that read the loop's published status and view, and the in-flight limit's use. */
    void registerGauges(
            Supplier<GroupStatus> status, Supplier<View> view, IntSupplier inFlight, LongSupplier logCacheBytes) {
        sink.gauge("echo.log.cache.bytes", "bytes of log entries this group keeps in memory", logCacheBytes, tags);
        sink.gauge("echo.term", "this member's current term", () -> status.get().term(), tags);
        sink.gauge(
                "echo.commit.index",
                "the commit index this member knows",
                () -> status.get().commitIndex(),
                tags);
        sink.gauge(
                "echo.apply.lag",
                "the commit index minus the applied index",
                () -> status.get().commitIndex() - status.get().lastApplied(),
                tags);
        sink.gauge(
                "echo.operations.in.flight", "operations and reads waiting for an outcome", inFlight::getAsInt, tags);
        sink.gauge(
                "echo.voters.suspended",
                "configured voters dynamic voting suspended",
                () -> view.get().suspended().size(),
                tags);
    }
}
