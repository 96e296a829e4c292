package dev.echo.core.protocol;

import java.util.List;

/**
 * Rejects messages whose fields are impossible, before any of them reaches protocol state (PROTOCOL.md §10: bad
 * input is counted and dropped, never thrown). Every term, index and round must lie in its {@link Domains domain};
 * the codecs check that too, but the core does not rely on having been fed through one.
 */
final class MessageChecks {
    private MessageChecks() {}

    static boolean wellFormed(Message message, ProtocolOptions options) {
        if (!Domains.contains(message.term())) {
            return false;
        }
        // By kind, with no default: a new kind fails to compile until its fields are checked here.
        return switch (message.kind()) {
            case APPEND_REQUEST -> wellFormedAppend((Message.AppendRequest) message, options);
            case APPEND_RESPONSE -> {
                Message.AppendResponse response = (Message.AppendResponse) message;
                yield Domains.contains(response.matchIndex())
                        && Domains.contains(response.conflictIndex())
                        && Domains.contains(response.conflictTerm())
                        && Domains.contains(response.readRound());
            }
            case PRE_VOTE_REQUEST -> {
                Message.PreVoteRequest request = (Message.PreVoteRequest) message;
                yield Domains.contains(request.lastLogIndex())
                        && Domains.contains(request.lastLogTerm())
                        && request.lastLogTerm() < request.term();
            }
            case VOTE_REQUEST -> {
                Message.VoteRequest request = (Message.VoteRequest) message;
                yield Domains.contains(request.lastLogIndex())
                        && Domains.contains(request.lastLogTerm())
                        && request.lastLogTerm() <= request.term();
            }
            case FORWARD_REQUEST -> {
                Entry.Payload payload = ((Message.ForwardRequest) message).payload();
                yield payload instanceof Entry.Command command
                                && command.command().length <= options.maxCommandBytes()
                                && sequencesInDomain(command)
                        || payload instanceof Entry.OpenSession;
            }
            case INSTALL_SNAPSHOT -> {
                Message.InstallSnapshot chunk = (Message.InstallSnapshot) message;
                yield chunk.index() >= 1
                        && Domains.contains(chunk.index())
                        && Domains.contains(chunk.offset())
                        && chunk.snapshotTerm() >= 1
                        && chunk.snapshotTerm() <= chunk.term()
                        && chunk.data().length <= options.maxAppendBytes();
            }
            case INSTALL_SNAPSHOT_RESPONSE -> {
                Message.InstallSnapshotResponse response = (Message.InstallSnapshotResponse) message;
                yield response.index() >= 1
                        && Domains.contains(response.index())
                        && Domains.contains(response.nextOffset());
            }
            case READ_INDEX_RESPONSE -> Domains.contains(((Message.ReadIndexResponse) message).readIndex());
            case MULTICAST_SEND -> {
                Message.MulticastSend send = (Message.MulticastSend) message;
                boolean ownAndUnsequenced = send.multicasts().stream()
                        .allMatch(m -> m.sequence() == 0 && m.sender().equals(send.from()));
                yield Domains.contains(send.epoch())
                        && ownAndUnsequenced
                        && multicastsWithin(send.multicasts(), options);
            }
            case MULTICAST_DATA -> {
                Message.MulticastData data = (Message.MulticastData) message;
                yield Domains.contains(data.epoch())
                        && Domains.contains(data.stable())
                        && consecutive(data.multicasts())
                        && multicastsWithin(data.multicasts(), options);
            }
            case MULTICAST_ACK -> {
                Message.MulticastAck ack = (Message.MulticastAck) message;
                yield Domains.contains(ack.epoch())
                        && Domains.contains(ack.delivered())
                        && Domains.contains(ack.answering())
                        && consecutive(ack.held())
                        && (ack.held().isEmpty()
                                || ack.held().get(ack.held().size() - 1).sequence() == ack.delivered())
                        && multicastsWithin(ack.held(), options);
            }
            case MULTICAST_REPORT_REQUEST -> Domains.contains(((Message.MulticastReportRequest) message).upTo());
            // Nothing beyond the term to check: flags, ids the receiver matches, or a change the leader validates.
            case PRE_VOTE_RESPONSE,
                    VOTE_RESPONSE,
                    TIMEOUT_NOW,
                    READ_INDEX_REQUEST,
                    MEMBERSHIP_REQUEST,
                    MEMBERSHIP_RESPONSE -> true;
        };
    }

    /** Multicasts whose coordinates lie in their domains and whose payloads fit the policy. */
    private static boolean multicastsWithin(List<Multicast> multicasts, ProtocolOptions options) {
        long bytes = 0;
        for (Multicast multicast : multicasts) {
            if (!Domains.contains(multicast.sequence())
                    || !Domains.contains(multicast.senderSequence())
                    || multicast.payload().length > options.multicast().maxPayloadBytes()) {
                return false;
            }
            bytes += multicast.sizeBytes();
        }
        return bytes <= 2L * options.multicast().maxUnstableBytes();
    }

    /** Sequenced multicasts, each the one after the previous. */
    private static boolean consecutive(List<Multicast> multicasts) {
        for (int i = 0; i < multicasts.size(); i++) {
            if (multicasts.get(i).sequence() != multicasts.get(0).sequence() + i
                    || multicasts.get(i).sequence() < 1) {
                return false;
            }
        }
        return true;
    }

    private static boolean wellFormedAppend(Message.AppendRequest append, ProtocolOptions options) {
        if (!Domains.contains(append.prevIndex())
                || !Domains.contains(append.prevTerm())
                || append.prevTerm() > append.term()
                || !Domains.contains(append.commitIndex())
                || !Domains.contains(append.readRound())
                || (append.prevIndex() == 0 && append.prevTerm() != 0)) {
            return false;
        }
        List<Entry> entries = append.entries();
        if (entries.size() > options.maxEntriesPerAppend()) {
            return false;
        }
        long expectedIndex = append.prevIndex() + 1;
        long previousTerm = append.prevTerm();
        long bytes = 0;
        for (Entry entry : entries) {
            bytes += entry.sizeBytes();
            if (entry.index() != expectedIndex++
                    || !Domains.contains(entry.index())
                    || entry.term() < previousTerm
                    || entry.term() > append.term()
                    || entry.payload() instanceof Entry.Command command && !sequencesInDomain(command)) {
                return false;
            }
            previousTerm = entry.term();
        }
        return entries.size() <= 1 || bytes <= options.maxAppendBytes();
    }

    private static boolean sequencesInDomain(Entry.Command command) {
        return Domains.contains(command.sequence()) && Domains.contains(command.ackedSequence());
    }
}
