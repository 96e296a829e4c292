package dev.echo.core.protocol;

import java.util.List;

/**
 * Rejects messages whose fields are impossible, before any of them reaches protocol state (PROTOCOL.md §10: bad
 * input is counted and dropped, never thrown).
 */
final class MessageChecks {
    private MessageChecks() {}

    static boolean wellFormed(Message message, ProtocolOptions options) {
        if (message.term() < 0) {
            return false;
        }
        if (message instanceof Message.AppendRequest append) {
            return wellFormedAppend(append, options);
        }
        if (message instanceof Message.AppendResponse response) {
            return response.matchIndex() >= 0
                    && response.conflictIndex() >= 0
                    && response.conflictTerm() >= 0
                    && response.readRound() >= 0;
        }
        if (message instanceof Message.PreVoteRequest request) {
            return request.lastLogIndex() >= 0 && request.lastLogTerm() >= 0 && request.lastLogTerm() < request.term();
        }
        if (message instanceof Message.VoteRequest request) {
            return request.lastLogIndex() >= 0 && request.lastLogTerm() >= 0 && request.lastLogTerm() <= request.term();
        }
        if (message instanceof Message.ForwardRequest forward) {
            return forward.payload() instanceof Entry.Command command
                            && command.command().length <= options.maxCommandBytes()
                    || forward.payload() instanceof Entry.OpenSession;
        }
        if (message instanceof Message.InstallSnapshot chunk) {
            return chunk.index() >= 1
                    && chunk.snapshotTerm() >= 1
                    && chunk.snapshotTerm() <= chunk.term()
                    && chunk.data().length <= options.maxAppendBytes();
        }
        if (message instanceof Message.InstallSnapshotResponse response) {
            return response.index() >= 1 && response.nextOffset() >= 0;
        }
        if (message instanceof Message.ReadIndexResponse response) {
            return response.readIndex() >= 0;
        }
        return true;
    }

    private static boolean wellFormedAppend(Message.AppendRequest append, ProtocolOptions options) {
        if (append.prevIndex() < 0
                || append.prevTerm() < 0
                || append.prevTerm() > append.term()
                || append.commitIndex() < 0
                || append.readRound() < 0
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
            if (entry.index() != expectedIndex++ || entry.term() < previousTerm || entry.term() > append.term()) {
                return false;
            }
            previousTerm = entry.term();
        }
        return entries.size() <= 1 || bytes <= options.maxAppendBytes();
    }
}
