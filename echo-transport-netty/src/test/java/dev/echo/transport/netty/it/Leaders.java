package dev.echo.transport.netty.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.GroupStatus;
import dev.echo.core.MemberId;
import dev.echo.core.ReplicatedGroup;
import dev.echo.testkit.transport.Inbox;
import java.time.Duration;
import java.util.Map;

/** Finds the member that leads a group in these tests. Stateless. */
final class Leaders {
    private Leaders() {}

    /** The member whose group says it leads, waiting up to {@code patience} for one; fails the test if none. */
    static MemberId await(Map<MemberId, ReplicatedGroup> groups, Duration patience) {
        assertTrue(Inbox.await(() -> find(groups) != null, patience), "no leader");
        return find(groups);
    }

    private static MemberId find(Map<MemberId, ReplicatedGroup> groups) {
        for (Map.Entry<MemberId, ReplicatedGroup> entry : groups.entrySet()) {
            if (entry.getValue().status().role() == GroupStatus.Role.LEADER) {
                return entry.getKey();
            }
        }
        return null;
    }
}
