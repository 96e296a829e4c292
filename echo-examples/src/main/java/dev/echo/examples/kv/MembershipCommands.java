package dev.echo.examples.kv;

import dev.echo.core.EchoException;
import dev.echo.core.GroupStatus;
import dev.echo.core.MemberAddress;
import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.View;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * echo-kv's membership commands over RESP (PROTOCOL.md §8), an {@code ECHO.} family whose names no Redis command
 * uses. Each calls the Java API's method of the same meaning and answers with the committed view, one line per member,
 * or with the API's typed error:
 *
 * <pre>
 * ECHO.MEMBERS                          the view this member applied
 * ECHO.ADDLEARNER id host:port          add a machine as a learner at its peer address
 * ECHO.ADDVOTER id [weight]             promote a learner (waits for it to catch up), or re-weight a voter
 * ECHO.REPLACE old new host:port        replace voter old by machine new, at old's rank and weight
 * ECHO.REMOVE id                        remove a member
 * ECHO.MAKETOP id                       move a voter to the top rank (it breaks ties)
 * ECHO.TRANSFER id                      ask the leader to hand leadership to voter id (not a change of membership:
 *                                       answers +OK leader=id term=T once this member follows id)
 * </pre>
 *
 * <p>Stateless; thread-safe. Replies are built on whichever thread completes the change; the caller hands them to
 * the connection's event loop.
 */
final class MembershipCommands {
    /** Usage, for the error a wrong call gets. */
    static final String USAGE = "ECHO.MEMBERS | ECHO.ADDLEARNER id host:port | ECHO.ADDVOTER id [weight]"
            + " | ECHO.REPLACE old new host:port | ECHO.REMOVE id | ECHO.MAKETOP id | ECHO.TRANSFER id";

    private final ReplicatedGroup group;

    MembershipCommands(ReplicatedGroup group) {
        this.group = group;
    }

    /** Whether {@code name} (upper case) is one of these commands' family. */
    static boolean isMembershipCommand(String name) {
        return name.startsWith("ECHO.");
    }

    /** Runs {@code name} with {@code args} (the command name first); the reply completes when the change does. */
    CompletableFuture<RedisMessage> run(String name, List<byte[]> args) {
        List<String> words = new ArrayList<>();
        for (byte[] arg : args.subList(1, args.size())) {
            words.add(new String(arg, StandardCharsets.UTF_8));
        }
        if (name.equals("ECHO.TRANSFER")) {
            return transfer(name, words);
        }
        CompletableFuture<View> change;
        try {
            change = switch (name) {
                case "ECHO.MEMBERS" -> {
                    arity(words, 0);
                    yield CompletableFuture.completedFuture(group.view());
                }
                case "ECHO.ADDLEARNER" -> {
                    arity(words, 2);
                    yield group.addLearner(
                            MemberId.of(words.get(0)), MemberAddress.of(PeerAddress.parse(words.get(1))));
                }
                case "ECHO.ADDVOTER" -> {
                    if (words.size() != 1 && words.size() != 2) {
                        throw new IllegalArgumentException("wrong number of arguments");
                    }
                    int weight = words.size() == 2 ? Integer.parseInt(words.get(1)) : 1;
                    yield group.addVoter(MemberId.of(words.get(0)), weight);
                }
                case "ECHO.REPLACE" -> {
                    arity(words, 3);
                    yield group.replace(
                            MemberId.of(words.get(0)),
                            MemberId.of(words.get(1)),
                            MemberAddress.of(PeerAddress.parse(words.get(2))));
                }
                case "ECHO.REMOVE" -> {
                    arity(words, 1);
                    yield group.removeMember(MemberId.of(words.get(0)));
                }
                case "ECHO.MAKETOP" -> {
                    arity(words, 1);
                    yield group.makeTop(MemberId.of(words.get(0)));
                }
                default -> throw new IllegalArgumentException("unknown command");
            };
        } catch (IllegalArgumentException wrong) { // a bad id, address, weight or arity: nothing was asked
            return usageError(name, wrong);
        }
        return change.handle((view, failure) -> failure == null ? members(view) : errorFor(failure));
    }

    /** Hands leadership to the voter named, asked of the leader: answers once this member follows it. */
    private CompletableFuture<RedisMessage> transfer(String name, List<String> words) {
        CompletableFuture<GroupStatus> moved;
        try {
            arity(words, 1);
            moved = group.transferLeadership(MemberId.of(words.get(0)));
        } catch (IllegalArgumentException wrong) {
            return usageError(name, wrong);
        }
        return moved.handle((status, failure) -> failure != null
                ? errorFor(failure)
                : new SimpleStringRedisMessage(
                        "OK leader=" + status.leader().map(MemberId::value).orElse("none") + " term=" + status.term()));
    }

    private static CompletableFuture<RedisMessage> usageError(String name, IllegalArgumentException wrong) {
        return CompletableFuture.completedFuture(
                RespHandler.error("ERR " + name + ": " + wrong.getMessage() + "; usage: " + USAGE));
    }

    private static void arity(List<String> words, int expected) {
        if (words.size() != expected) {
            throw new IllegalArgumentException("wrong number of arguments");
        }
    }

    /** The view as one line per member: id, role, weight for voters, rank, peer address, metadata. */
    static ArrayRedisMessage members(View view) {
        List<RedisMessage> lines = new ArrayList<>();
        for (String line : describe(view)) {
            lines.add(new FullBulkStringRedisMessage(Unpooled.wrappedBuffer(line.getBytes(StandardCharsets.UTF_8))));
        }
        return new ArrayRedisMessage(lines);
    }

    /** One line per member, voters first in rank order: {@code id role [weight=W] rank=R peer=H:P metadata}. */
    static List<String> describe(View view) {
        List<String> lines = new ArrayList<>();
        for (View.Member voter : view.voters()) {
            lines.add(voter.id() + " voter weight=" + voter.weight() + " rank=" + view.rankOf(voter.id())
                    + where(view, voter.id()));
        }
        for (View.Member suspended : view.suspended()) {
            lines.add(suspended.id() + " suspended weight=" + suspended.weight() + " rank="
                    + view.rankOf(suspended.id()) + where(view, suspended.id()));
        }
        for (MemberId learner : view.learners()) {
            if (view.suspended().stream().noneMatch(s -> s.id().equals(learner))) {
                lines.add(learner + " learner rank=" + view.rankOf(learner) + where(view, learner));
            }
        }
        return lines;
    }

    private static String where(View view, MemberId member) {
        return view.addressOf(member)
                .map(address -> " peer=" + address.endpoint()
                        + (address.metadataLength() == 0
                                ? ""
                                : " " + new String(address.metadata(), StandardCharsets.UTF_8)))
                .orElse("");
    }

    /** The typed error of a refused or unfinished change, named as the Java API names it. */
    static ErrorRedisMessage errorFor(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (!(cause instanceof EchoException echo)) {
            return RespHandler.error("ERR " + cause);
        }
        String code = echo.reason().name().replace("_", "").toUpperCase(Locale.ROOT);
        String outcome = echo.certainlyNotApplied() ? "nothing changed" : "the change may still take effect";
        return RespHandler.error(code + " " + outcome + ": " + echo.getMessage());
    }
}
