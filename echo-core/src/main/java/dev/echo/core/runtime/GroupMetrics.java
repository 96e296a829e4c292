package dev.echo.core.runtime;

import dev.echo.core.GroupStatus;
import dev.echo.core.MemberId;
import dev.echo.core.View;
import dev.echo.core.metrics.MetricsSink;
import java.util.function.IntSupplier;
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
    /** Whether submits are timed: not for {@link MetricsSink#NONE}, where timing would cost a callback each. */
    final boolean timesCommits;

    private final MetricsSink sink;
    private final String[] tags;

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
        this.timesCommits = sink != MetricsSink.NONE;
    }

    /** Gauges that read the loop's published status and view, and the in-flight limit's use. */
    void registerGauges(Supplier<GroupStatus> status, Supplier<View> view, IntSupplier inFlight) {
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
