package dev.echo.examples.kv;

import dev.echo.core.EchoException;
import dev.echo.core.GroupStatus;
import dev.echo.core.MemberHealth;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.View;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.InlineCommandRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisArrayAggregator;
import io.netty.handler.codec.redis.RedisBulkStringAggregator;
import io.netty.handler.codec.redis.RedisDecoder;
import io.netty.handler.codec.redis.RedisEncoder;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one RESP2 client connection: parses each command, turns writes into replicated commands and reads into
 * (by default linearizable) reads of {@link KvStore}, and answers in request order even though outcomes arrive out
 * of order (pipelining). Error replies say what happened: {@code NOQUORUM} and {@code OVERLOADED} only when the
 * write certainly had no effect, {@code UNKNOWN} when its outcome is truly unknown (a timeout).
 *
 * <p>Not shareable: one per connection, running on the connection's event loop; outcomes are handed back to it.
 */
final class RespHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RespHandler.class);

    private final ReplicatedGroup group;
    private final MembershipCommands membership;
    private final boolean staleReads;
    private final InfoSource info;
    private final ArrayDeque<Slot> replies = new ArrayDeque<>();
    /**
     * Writes of the current read burst, not yet submitted: a client's pipelined writes go to the group as one batch
     * ({@link ReplicatedGroup#submitAll}) when the burst ends, or before any command that reads, so the group sees
     * them in the order the client sent them.
     */
    private final List<PendingWrite> pendingWrites = new ArrayList<>();
    /** This client's writes handed to the group and not yet answered: a read waits until there are none. */
    private int writesInFlight;
    /** A read waiting for this client's writes, and everything the client sent after it, in order. */
    private final ArrayDeque<Waiting> behindRead = new ArrayDeque<>();
    /** A flush is queued on the connection's executor: replies completed meanwhile go out with it. */
    private boolean flushQueued;
    /** A QUIT or a protocol error closed this connection: nothing more is read or answered. */
    private boolean failed;

    /** What INFO reports about this member besides the group's status. */
    interface InfoSource {
        /** Lines of {@code name:value} for the INFO reply. */
        String describe();
    }

    /** A write waiting for its batch: its command, its reply's place, and how to turn its result into the reply. */
    private record PendingWrite(Slot slot, byte[] command, Function<byte[], RedisMessage> reply) {}

    /** A command held behind a read; {@code read} says whether it is a read that waits for writes itself. */
    private record Waiting(boolean read, Runnable command) {}

    /** One command's place in the reply order. */
    private static final class Slot {
        RedisMessage reply;
    }

    RespHandler(ReplicatedGroup group, boolean staleReads, InfoSource info) {
        this.group = group;
        this.membership = new MembershipCommands(group);
        this.staleReads = staleReads;
        this.info = info;
    }

    /**
     * Builds a client connection's pipeline: RESP decoding with the request limits ({@code maxBulkBytes} per bulk
     * string, 2^20 array elements, arrays nested at most 4 deep), then {@code handler}.
     */
    static void install(ChannelPipeline pipeline, long maxBulkBytes, RespHandler handler) {
        pipeline.addLast(new RedisDecoder(true))
                .addLast(new RequestLimits(maxBulkBytes, 1 << 20))
                .addLast(new RedisBulkStringAggregator())
                .addLast(new RedisArrayAggregator(1 << 20, 4))
                .addLast(new RedisEncoder())
                .addLast(handler);
    }

    /**
     * Nothing more is read from this connection: bytes after a QUIT or a protocol error are dropped, not decoded.
     * Decoding them would raise errors after the connection is closed and the handlers are gone, which Netty logs
     * with a stack trace at the end of the pipeline (found by RespFuzzTest). Removing the decoder hands what it holds
     * to this handler, which releases it.
     */
    private void stopReading(ChannelHandlerContext ctx) {
        failed = true;
        if (ctx.pipeline().get(RedisDecoder.class) != null) {
            ctx.pipeline().remove(RedisDecoder.class);
        }
    }

    /**
     * A request that does not parse (or anything else thrown on this connection) gets one {@code -ERR Protocol
     * error} reply and the connection is closed, as Redis does; it is logged in one line, without a stack trace, once
     * per connection, so a misbehaving client cannot fill the disk through the log.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failed) {
            return;
        }
        submitPendingWrites(ctx); // the well-formed writes before the bad request still go in, as Redis runs them
        stopReading(ctx);
        String reason = cause instanceof DecoderException && cause.getCause() != null
                ? String.valueOf(cause.getCause().getMessage())
                : String.valueOf(cause.getMessage());
        String firstLine = reason.lines().findFirst().orElse("").strip();
        if (firstLine.length() > 120) {
            firstLine = firstLine.substring(0, 120);
        }
        LOG.warn(
                "Closing RESP client {}: {} ({})",
                ctx.channel().remoteAddress(),
                cause instanceof DecoderException ? "malformed request" : "error",
                firstLine);
        LastReply.send(ctx, error("ERR Protocol error: " + firstLine));
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        submitPendingWrites(ctx);
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        Slot slot = new Slot();
        replies.add(slot);
        try {
            List<byte[]> arguments = arguments(msg);
            if (arguments.isEmpty()) {
                answer(ctx, slot, error("ERR empty command"));
            } else if (!behindRead.isEmpty()) { // a read waits for this client's writes: the rest waits behind it
                behindRead.add(new Waiting(false, () -> dispatch(ctx, slot, arguments)));
            } else {
                dispatch(ctx, slot, arguments);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Runs what waited behind a read, in order, until a read must wait for writes again. */
    private void runWaiting(ChannelHandlerContext ctx) {
        if (failed) {
            behindRead.clear(); // the connection is closing: what waited is neither run nor answered
            return;
        }
        while (!behindRead.isEmpty() && !(behindRead.peek().read() && writesInFlight > 0)) {
            behindRead.poll().command().run();
        }
        submitPendingWrites(ctx); // what ran may have been writes: they go in now, not at the next read burst
    }

    private void dispatch(ChannelHandlerContext ctx, Slot slot, List<byte[]> args) {
        String name = new String(args.get(0), StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
        int n = args.size();
        switch (name) {
            case "PING":
                answer(ctx, slot, n == 1 ? new SimpleStringRedisMessage("PONG") : bulk(args.get(1)));
                return;
            case "ECHO":
                answer(ctx, slot, n == 2 ? bulk(args.get(1)) : arity(name));
                return;
            case "GET":
                if (n != 2) {
                    answer(ctx, slot, arity(name));
                    return;
                }
                read(ctx, slot, KvOp.of(KvOp.Op.GET, args.get(1)), values -> values.get(0));
                return;
            case "MGET":
                if (n < 2) {
                    answer(ctx, slot, arity(name));
                    return;
                }
                read(ctx, slot, new KvOp(KvOp.Op.GET, args.subList(1, n)), values -> new ArrayRedisMessage(values));
                return;
            case "SET":
                set(ctx, slot, args);
                return;
            case "DEL":
                if (n < 2) {
                    answer(ctx, slot, arity(name));
                    return;
                }
                write(
                        ctx,
                        slot,
                        new KvOp(KvOp.Op.DEL, args.subList(1, n)),
                        result ->
                                new IntegerRedisMessage(ByteBuffer.wrap(result).getLong()));
                return;
            case "INCR":
                if (n != 2) {
                    answer(ctx, slot, arity(name));
                    return;
                }
                write(ctx, slot, KvOp.of(KvOp.Op.INCR, args.get(1)), RespHandler::incrementReply);
                return;
            case "INFO":
                // The members' health comes from the group's loop: answered when it is known, in order.
                submitPendingWrites(ctx);
                group.health().whenComplete((health, failure) -> ctx.executor()
                        .execute(() -> answer(
                                ctx,
                                slot,
                                bulk(infoText(failure == null ? health : List.of())
                                        .getBytes(StandardCharsets.UTF_8)))));
                return;
            case "COMMAND":
            case "CONFIG":
                answer(ctx, slot, ArrayRedisMessage.EMPTY_INSTANCE); // clients probe these; nothing to report
                return;
            case "SELECT":
                answer(
                        ctx,
                        slot,
                        n == 2 && "0".equals(new String(args.get(1), StandardCharsets.US_ASCII))
                                ? new SimpleStringRedisMessage("OK")
                                : error("ERR only database 0 exists"));
                return;
            case "CLIENT":
                answer(ctx, slot, new SimpleStringRedisMessage("OK"));
                return;
            case "HELLO":
                answer(ctx, slot, error("NOPROTO this server speaks RESP2 only"));
                return;
            case "QUIT":
                submitPendingWrites(ctx); // the writes before it still go in, as Redis runs them
                answer(ctx, slot, new SimpleStringRedisMessage("OK"));
                ctx.flush(); // now, not with the queued flush: the close discards what is not flushed
                stopReading(ctx);
                ctx.close();
                return;
            default:
                if (MembershipCommands.isMembershipCommand(name)) {
                    submitPendingWrites(ctx); // the writes before it go in first, in the client's order
                    membership.run(name, args).thenAccept(reply -> ctx.executor()
                            .execute(() -> answer(ctx, slot, reply)));
                    return;
                }
                answer(ctx, slot, error("ERR unknown command '" + name + "'"));
        }
    }

    private void set(ChannelHandlerContext ctx, Slot slot, List<byte[]> args) {
        if (args.size() < 3) {
            answer(ctx, slot, arity("SET"));
            return;
        }
        KvOp.Op op = KvOp.Op.SET;
        byte[] expected = null;
        for (int i = 3; i < args.size(); i++) {
            String option = new String(args.get(i), StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
            KvOp.Op chosen;
            if (option.equals("NX")) {
                chosen = KvOp.Op.SET_NX;
            } else if (option.equals("XX")) {
                chosen = KvOp.Op.SET_XX;
            } else if (option.equals("IFEQ") && i + 1 < args.size()) {
                chosen = KvOp.Op.SET_IFEQ;
                expected = args.get(++i);
            } else {
                answer(ctx, slot, error("ERR syntax error"));
                return;
            }
            if (op != KvOp.Op.SET) {
                answer(ctx, slot, error("ERR syntax error")); // NX, XX and IFEQ exclude each other
                return;
            }
            op = chosen;
        }
        KvOp command = expected == null
                ? KvOp.of(op, args.get(1), args.get(2))
                : KvOp.of(op, args.get(1), args.get(2), expected);
        write(
                ctx,
                slot,
                command,
                result ->
                        result[0] == 1 ? new SimpleStringRedisMessage("OK") : FullBulkStringRedisMessage.NULL_INSTANCE);
    }

    private void write(ChannelHandlerContext ctx, Slot slot, KvOp op, Function<byte[], RedisMessage> reply) {
        pendingWrites.add(new PendingWrite(slot, op.encode(), reply));
    }

    /** Submits the burst's writes as one batch, in arrival order. */
    private void submitPendingWrites(ChannelHandlerContext ctx) {
        if (pendingWrites.isEmpty()) {
            return;
        }
        List<byte[]> commands = new ArrayList<>(pendingWrites.size());
        for (PendingWrite write : pendingWrites) {
            commands.add(write.command());
        }
        List<CompletableFuture<byte[]>> outcomes = group.submitAll(commands);
        for (int i = 0; i < outcomes.size(); i++) {
            PendingWrite write = pendingWrites.get(i);
            writesInFlight++;
            complete(ctx, write.slot(), outcomes.get(i), write.reply(), "the write was not applied")
                    .thenRun(() -> {
                        writesInFlight--;
                        runWaiting(ctx);
                    });
        }
        pendingWrites.clear();
    }

    /**
     * A read sees every write its client sent before it, as in Redis, where one connection's commands run in order:
     * while any of them has no outcome yet, the read waits (and what the client sends after it waits behind it). A
     * linearizable read issued at once could be served before those writes commit, since to the group they are
     * concurrent operations.
     */
    private void read(ChannelHandlerContext ctx, Slot slot, KvOp op, Function<List<RedisMessage>, RedisMessage> reply) {
        submitPendingWrites(ctx); // the writes before it first, in order
        byte[] query = op.encode();
        Runnable issue = () -> {
            CompletableFuture<byte[]> answer = staleReads ? group.readStale(query) : group.read(query);
            complete(ctx, slot, answer, bytes -> reply.apply(values(bytes)), "the read was not served");
        };
        if (writesInFlight > 0) {
            behindRead.add(new Waiting(true, issue));
        } else {
            issue.run();
        }
    }

    /** Answers {@code slot} with {@code outcome} on the connection's event loop; the result completes after that. */
    private CompletableFuture<Void> complete(
            ChannelHandlerContext ctx,
            Slot slot,
            CompletableFuture<byte[]> outcome,
            Function<byte[], RedisMessage> reply,
            String notDone) {
        CompletableFuture<Void> answered = new CompletableFuture<>();
        outcome.whenComplete((result, failure) -> ctx.executor().execute(() -> {
            RedisMessage message = failure == null ? reply.apply(result) : errorFor(failure, notDone);
            answer(ctx, slot, message);
            answered.complete(null);
        }));
        return answered;
    }

    /** Fills {@code slot} and writes every reply that is now at the head of the order. */
    private void answer(ChannelHandlerContext ctx, Slot slot, RedisMessage reply) {
        slot.reply = reply;
        boolean wrote = false;
        while (!replies.isEmpty() && replies.peek().reply != null) {
            ctx.write(replies.poll().reply);
            wrote = true;
        }
        if (wrote && !flushQueued) {
            // One flush for every reply that completes before it runs: a batch's replies leave in one write.
            flushQueued = true;
            ctx.executor().execute(() -> {
                flushQueued = false;
                ctx.flush();
            });
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (Slot slot : replies) {
            ReferenceCountUtil.release(slot.reply);
        }
        replies.clear();
        ctx.fireChannelInactive();
    }

    /**
     * The INFO reply: this member's status and view, and, at the leader, each other member's health as
     * {@code member_<id>:reachable|unreachable,last_heard_ms=..,behind=..}.
     */
    private String infoText(List<MemberHealth> health) {
        GroupStatus status = group.status();
        View view = group.view();
        StringBuilder members = new StringBuilder();
        for (View.Member voter : view.voters()) {
            members.append(members.length() == 0 ? "" : ",")
                    .append(voter.id())
                    .append('=')
                    .append(voter.weight());
        }
        return "# Echo\r\n" + info.describe()
                + "role:" + status.role().name().toLowerCase(Locale.ROOT) + "\r\n"
                + "term:" + status.term() + "\r\n"
                + "leader:" + status.leader().map(Object::toString).orElse("") + "\r\n"
                + "commit_index:" + status.commitIndex() + "\r\n"
                + "last_applied:" + status.lastApplied() + "\r\n"
                + "quorum:" + (status.hasQuorum() ? "ok" : "lost") + "\r\n"
                + "view_epoch:" + view.epoch() + "\r\n"
                + "view_voters:" + members + "\r\n"
                + "view_learners:"
                + String.join(
                        ",", view.learners().stream().map(Object::toString).toList())
                + "\r\n"
                + viewLines(view)
                + joinLines()
                + healthLines(health);
    }

    /**
     * While this member asks to join: {@code joining:attempts=..,seeds=..,unreachable=..,gave_up=..} and the last
     * outcome, so an operator sees a seed it cannot reach (PROTOCOL.md §8).
     */
    private String joinLines() {
        return group.joining()
                .map(progress -> "joining:attempts=" + progress.attempts()
                        + ",seeds="
                        + String.join(
                                "+",
                                progress.seeds().stream().map(Object::toString).toList())
                        + ",unreachable="
                        + String.join(
                                "+",
                                progress.unreachableSeeds().stream()
                                        .map(Object::toString)
                                        .toList())
                        + ",gave_up=" + progress.gaveUp() + "\r\n"
                        + progress.lastOutcome()
                                .map(outcome ->
                                        "joining_last_outcome:" + outcome.replaceAll("[^\\x20-\\x7e]", "_") + "\r\n")
                                .orElse(""))
                .orElse("");
    }

    /** Each member of the view: {@code view_member_<id>:<role>,weight=..,rank=..,peer=..,<metadata>}. */
    private static String viewLines(View view) {
        StringBuilder lines = new StringBuilder();
        for (String member : MembershipCommands.describe(view)) {
            int space = member.indexOf(' ');
            String value = member.substring(space + 1).replace(' ', ',');
            lines.append("view_member_").append(member, 0, space).append(':');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                lines.append(c > 0x20 && c < 0x7f ? c : '?'); // metadata is the application's: keep the line whole
            }
            lines.append("\r\n");
        }
        return lines.toString();
    }

    private static String healthLines(List<MemberHealth> health) {
        StringBuilder lines = new StringBuilder();
        for (MemberHealth member : health) {
            lines.append("member_")
                    .append(member.member())
                    .append(':')
                    .append(member.reachable() ? "reachable" : "unreachable")
                    .append(",last_heard_ms=")
                    .append(member.lastHeard().toMillis())
                    .append(",behind=")
                    .append(member.entriesBehind())
                    .append("\r\n");
        }
        return lines.toString();
    }

    /**
     * The error reply for a failed operation. {@code notDone} says what certainly did not happen, in the operation's
     * terms ("the write was not applied", "the read was not served"); {@code UNKNOWN} is only for a write whose
     * outcome is truly unknown.
     */
    static RedisMessage errorFor(Throwable failure, String notDone) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (!(cause instanceof EchoException echo)) {
            return error("ERR " + cause);
        }
        switch (echo.reason()) {
            case NO_QUORUM:
                return error("NOQUORUM this member has no quorum; " + notDone + ", retry later");
            case OVERLOADED:
                return error("OVERLOADED too many operations in flight; " + notDone + ", retry later");
            case NOT_MEMBER:
                return error("NOTMEMBER this member is not in the group; " + notDone);
            case TOO_LARGE:
                return error("ERR the command is too large; " + notDone);
            case SESSION_EXPIRED:
                return error("NOQUORUM the client session expired; " + notDone + ", retry");
            case CLOSED:
                return error("CLOSED this member is shutting down; " + notDone);
            case STORAGE_FULL:
                return error("STORAGEFULL this member's disk is full; " + notDone + ", retry later or elsewhere");
            case TIMEOUT:
                return error("UNKNOWN no outcome in time: the write may or may not have been applied");
            default:
                return error("UNKNOWN " + echo.getMessage());
        }
    }

    private static RedisMessage incrementReply(byte[] result) {
        if (result[0] == 1) {
            return new IntegerRedisMessage(ByteBuffer.wrap(result, 1, 8).getLong());
        }
        return error("ERR " + new String(result, 1, result.length - 1, StandardCharsets.US_ASCII));
    }

    private static List<RedisMessage> values(byte[] encoded) {
        ByteBuffer in = ByteBuffer.wrap(encoded);
        List<RedisMessage> values = new ArrayList<>();
        while (in.hasRemaining()) {
            boolean present = in.get() == 1;
            byte[] value = new byte[in.getInt()];
            in.get(value);
            values.add(present ? bulk(value) : FullBulkStringRedisMessage.NULL_INSTANCE);
        }
        return values;
    }

    private static List<byte[]> arguments(Object msg) {
        List<byte[]> arguments = new ArrayList<>();
        if (msg instanceof ArrayRedisMessage array) {
            for (RedisMessage child : array.children()) {
                if (child instanceof FullBulkStringRedisMessage bulk && !bulk.isNull()) {
                    arguments.add(ByteBufUtil.getBytes(bulk.content()));
                }
            }
        } else if (msg instanceof InlineCommandRedisMessage inline) {
            for (String word : inline.content().trim().split("\\s+")) {
                if (!word.isEmpty()) {
                    arguments.add(word.getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        return arguments;
    }

    private static FullBulkStringRedisMessage bulk(byte[] bytes) {
        ByteBuf content = Unpooled.wrappedBuffer(bytes);
        return new FullBulkStringRedisMessage(content);
    }

    private static ErrorRedisMessage arity(String command) {
        return error("ERR wrong number of arguments for '" + command.toLowerCase(Locale.ROOT) + "' command");
    }

    /**
     * An error reply. Its text is one RESP line: a CR or LF from the client (an unknown command's name, say) would end
     * the line early and inject the rest as another reply (found by RespFuzzTest), so control characters and bytes
     * outside printable ASCII become '?', and the text is cut at 200 characters.
     */
    static ErrorRedisMessage error(String text) {
        StringBuilder line = new StringBuilder(Math.min(text.length(), 200));
        for (int i = 0; i < text.length() && line.length() < 200; i++) {
            char c = text.charAt(i);
            line.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return new ErrorRedisMessage(line.toString());
    }
}
