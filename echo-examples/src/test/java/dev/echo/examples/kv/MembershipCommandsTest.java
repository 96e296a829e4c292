package dev.echo.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.GroupStatus;
import dev.echo.core.MemberId;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.node.EchoNode;
import dev.echo.core.transport.InMemoryNetwork;
import dev.echo.testkit.storage.InMemoryJournal;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code ECHO.TRANSFER} over three in-memory members: leadership moves where it is asked to, and a transfer asked of
 * a follower, for a stranger or with the wrong arguments gets the Java API's typed error, named the same way.
 */
class MembershipCommandsTest {
    private static final List<MemberId> MEMBERS = List.of(MemberId.of("n1"), MemberId.of("n2"), MemberId.of("n3"));

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<EchoNode> nodes = new ArrayList<>();
    private final Map<MemberId, ReplicatedGroup> groups = new LinkedHashMap<>();

    @AfterEach
    void close() {
        nodes.forEach(EchoNode::close);
    }

    @Test
    void transferMovesLeadershipOrSaysWhyNot() throws Exception {
        for (MemberId member : MEMBERS) {
            EchoNode node = EchoNode.builder(member)
                    .transport(network.transport(member))
                    .journal(new InMemoryJournal())
                    .build()
                    .start();
            nodes.add(node);
            GroupOptions.Builder options = GroupOptions.builder();
            MEMBERS.forEach(options::voter);
            groups.put(member, node.join("kv", options.build(), new KvStore(), new GroupListener() {}));
        }
        GroupStatus status = groups.get(MEMBERS.get(0)).whenQuorum().get(30, TimeUnit.SECONDS);
        MemberId leader = status.leader().orElseThrow();
        MemberId follower =
                MEMBERS.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        MemberId successor = MEMBERS.stream()
                .filter(m -> !m.equals(leader) && !m.equals(follower))
                .findFirst()
                .orElseThrow();

        assertError("NOTLEADER", run(follower, "ECHO.TRANSFER", successor.value()));
        assertError("INVALID", run(leader, "ECHO.TRANSFER", "stranger"));
        assertError("ERR ECHO.TRANSFER: wrong number of arguments", run(leader, "ECHO.TRANSFER"));

        RedisMessage moved = run(leader, "ECHO.TRANSFER", successor.value());

        assertTrue(moved instanceof SimpleStringRedisMessage, String.valueOf(moved));
        String reply = ((SimpleStringRedisMessage) moved).content();
        assertTrue(reply.startsWith("OK leader=" + successor.value() + " term="), reply);
        assertEquals(Optional.of(successor), groups.get(leader).status().leader());
    }

    private RedisMessage run(MemberId at, String... words) throws Exception {
        List<byte[]> args = new ArrayList<>();
        for (String word : words) {
            args.add(word.getBytes(StandardCharsets.UTF_8));
        }
        CompletableFuture<RedisMessage> reply = new MembershipCommands(groups.get(at)).run(words[0], args);
        return reply.get(30, TimeUnit.SECONDS);
    }

    private static void assertError(String prefix, RedisMessage reply) {
        assertTrue(
                reply instanceof ErrorRedisMessage error && error.content().startsWith(prefix),
                "expected " + prefix + ": " + reply);
    }
}
