package dev.echo.examples.search;

import dev.echo.core.GroupListener;
import dev.echo.core.MemberId;
import dev.echo.core.MulticastView;
import dev.echo.core.Ordering;
import dev.echo.core.ReplicatedGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One member of the parallel search: the listener of its group, holding the same records as every other member.
 * When a query is delivered, this member answers for its chunk of the records: with k members in the view, the member
 * of rank i takes the i-th k-th. Every member delivers the query in the same view (virtual synchrony), so the chunks
 * of the members that answer partition the records exactly, with no coordination. The asker combines the answers of
 * one view; if the view changes before they are all in, it asks again in the new one.
 *
 * <p>Threading: the listener methods run on the group's loop thread; {@link #ask} may be called from any thread.
 */
final class SearchMember implements GroupListener {
    private final MemberId self;
    private final List<String> records;
    private final Consumer<String> log;
    private final AtomicLong queries = new AtomicLong();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private volatile MulticastView view = new MulticastView(0, List.of(), false);
    private volatile ReplicatedGroup group;

    /**
     * The combined answer to a query: the matches over all chunks, each rank's share, and the view whose members
     * answered.
     */
    record Result(String text, long matches, List<Long> byRank, List<String> samples, MulticastView view) {}

    private record Pending(String text, CompletableFuture<Result> result, Map<Integer, SearchMessage.Answer> answers) {}

    SearchMember(MemberId self, List<String> records, Consumer<String> log) {
        this.self = self;
        this.records = List.copyOf(records);
        this.log = log;
    }

    void attach(ReplicatedGroup joined) {
        this.group = joined;
    }

    MemberId id() {
        return self;
    }

    MulticastView view() {
        return view;
    }

    /** Multicasts a query and completes with the combined answer of the members of one view. */
    CompletableFuture<Result> ask(String text) {
        if (text.contains("|")) {
            throw new IllegalArgumentException("a query may not contain '|'");
        }
        long id = queries.incrementAndGet();
        Pending query = new Pending(text, new CompletableFuture<>(), new ConcurrentHashMap<>());
        pending.put(id, query);
        send(new SearchMessage.Query(self.value(), id, text));
        return query.result();
    }

    @Override
    public void multicastViewInstalled(MulticastView installed) {
        view = installed;
        log.accept(self + " view " + installed.epoch() + ": " + installed.members()
                + (installed.participating() ? ", rank " + installed.rankOf(self) : ", not in it"));
        // Answers of the previous view will never all arrive: ask again in this one.
        pending.forEach((id, query) -> {
            query.answers().clear();
            if (installed.participating()) {
                send(new SearchMessage.Query(self.value(), id, query.text()));
            }
        });
    }

    @Override
    public void multicastDelivered(MemberId sender, long viewEpoch, byte[] payload) {
        SearchMessage message = SearchMessage.decode(payload);
        if (message instanceof SearchMessage.Query query) {
            answer(query, viewEpoch);
        } else {
            collect((SearchMessage.Answer) message);
        }
    }

    /** Searches this member's chunk: rank i of k takes records [i*n/k, (i+1)*n/k). */
    private void answer(SearchMessage.Query query, long epoch) {
        MulticastView current = view;
        int rank = current.rankOf(self);
        if (rank < 0 || current.epoch() != epoch) {
            return;
        }
        int k = current.size();
        int from = (int) ((long) rank * records.size() / k);
        int to = (int) ((long) (rank + 1) * records.size() / k);
        long matches = 0;
        List<String> samples = new ArrayList<>();
        for (int i = from; i < to; i++) {
            if (records.get(i).contains(query.text())) {
                matches++;
                if (samples.size() < 2) {
                    samples.add(records.get(i));
                }
            }
        }
        send(new SearchMessage.Answer(query.asker(), query.id(), epoch, rank, k, matches, samples));
    }

    private void collect(SearchMessage.Answer answer) {
        Pending query = answer.asker().equals(self.value()) ? pending.get(answer.id()) : null;
        if (query == null || answer.epoch() != view.epoch()) {
            return; // another member's query, or an answer of an earlier view
        }
        query.answers().put(answer.rank(), answer);
        if (query.answers().size() == answer.size()) {
            long matches = 0;
            List<Long> byRank = new ArrayList<>();
            List<String> samples = new ArrayList<>();
            for (int rank = 0; rank < answer.size(); rank++) {
                SearchMessage.Answer part = query.answers().get(rank);
                matches += part.matches();
                byRank.add(part.matches());
                samples.addAll(part.samples());
            }
            pending.remove(answer.id());
            query.result().complete(new Result(query.text(), matches, byRank, samples, view));
        }
    }

    private void send(SearchMessage message) {
        ReplicatedGroup joined = group;
        if (joined != null) {
            // A refusal (no view yet, or the view is being cut) is followed by a new view, where queries are asked
            // again; an answer lost that way is asked for again too.
            joined.multicast(message.encode(), Ordering.TOTAL);
        }
    }
}
