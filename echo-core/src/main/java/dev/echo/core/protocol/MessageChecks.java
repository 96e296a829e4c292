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
        if (message instanceof Message.AppendRequest append) {
            return wellFormedAppend(append, options);
        }
        if (message instanceof Message.AppendResponse response) {
            return Domains.contains(response.matchIndex())
                    && Domains.contains(response.conflictIndex())
                    && Domains.contains(response.conflictTerm())
                    && Domains.contains(response.readRound());
        }
        if (message instanceof Message.PreVoteRequest request) {
            return Domains.contains(request.lastLogIndex())
                    && Domains.contains(request.lastLogTerm())
                    && request.lastLogTerm() < request.term();
        }
        if (message instanceof Message.VoteRequest request) {
            return Domains.contains(request.lastLogIndex())
                    && Domains.contains(request.lastLogTerm())
                    && request.lastLogTerm() <= request.term();
        }
        if (message instanceof Message.ForwardRequest forward) {
            return forward.payload() instanceof Entry.Command command
                            && command.command().length <= options.maxCommandBytes()
                            && sequencesInDomain(command)
                    || forward.payload() instanceof Entry.OpenSession;
        }
        if (message instanceof Message.InstallSnapshot chunk) {
            return chunk.index() >= 1
                    && Domains.contains(chunk.index())
                    && Domains.contains(chunk.offset())
                    && chunk.snapshotTerm() >= 1
                    && chunk.snapshotTerm() <= chunk.term()
                    && chunk.data().length <= options.maxAppendBytes();
        }
        if (message instanceof Message.InstallSnapshotResponse response) {
            return response.index() >= 1
                    && Domains.contains(response.index())
                    && Domains.contains(response.nextOffset());
        }
        if (message instanceof Message.ReadIndexResponse response) {
            return Domains.contains(response.readIndex());
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
