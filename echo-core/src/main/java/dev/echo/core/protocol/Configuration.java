package dev.echo.core.protocol;

import dev.echo.core.MemberAddress;
import dev.echo.core.MemberId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToLongFunction;

/**
 * A configuration (PROTOCOL.md §2): an ordered list of weighted voters, the first being top (the tie-breaker), plus
 * non-voting learners, plus the <em>nominal</em> voter list that dynamic linear voting (§7) shrinks from and restores
 * to. Immutable and thread-safe.
 *
 * <p>The nominal list is what the application configured: every voter, with its weight and rank. Dynamic voting
 * removes unresponsive voters from {@link #voters} (they stay {@link #learners}, so they keep receiving the log and
 * the leader notices when they return) and puts them back at their nominal weight and rank once they have caught up.
 * Quorums are judged on {@link #voters} only; the nominal list travels in the log so that every leader knows whom to
 * re-admit, and how.
 *
 * @param voters the voters in force, in rank order; at least one, no duplicates; an ordered sub-list of
 *     {@code nominal} with the same weights
 * @param learners members that receive the log but never vote; disjoint from the voters; includes every
 *     {@linkplain #suspended() suspended} voter
 * @param nominal the configured voters in rank order; pass an empty list (or {@code voters}) when none is suspended
 * @param addresses where members can be reached (PROTOCOL.md §8), for those whose address is known; keys are
 *     members of this configuration. Empty in configurations written before addresses existed, and for groups whose
 *     transport needs none (in memory)
 */
public record Configuration(
        List<Voter> voters,
        SortedSet<MemberId> learners,
        List<Voter> nominal,
        SortedMap<MemberId, MemberAddress> addresses)
        implements QuorumSystem {
    /** Largest number of members (voters and learners) in one configuration. */
    public static final int MAX_MEMBERS = 64;

    /** Validates and freezes the lists. */
    public Configuration {
        voters = List.copyOf(Objects.requireNonNull(voters, "voters"));
        learners = Collections.unmodifiableSortedSet(new TreeSet<>(Objects.requireNonNull(learners, "learners")));
        nominal = Objects.requireNonNull(nominal, "nominal").isEmpty() ? voters : List.copyOf(nominal);
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("a configuration needs at least one voter");
        }
        if (voters.size() + learners.size() > MAX_MEMBERS) {
            throw new IllegalArgumentException("a configuration has at most " + MAX_MEMBERS + " members");
        }
        SortedSet<MemberId> seen = new TreeSet<>();
        for (Voter voter : voters) {
            if (!seen.add(voter.id())) {
                throw new IllegalArgumentException("duplicate voter " + voter.id());
            }
            if (learners.contains(voter.id())) {
                throw new IllegalArgumentException(voter.id() + " cannot be both voter and learner");
            }
        }
        requireNominalCovers(voters, learners, nominal);
        addresses = Collections.unmodifiableSortedMap(new TreeMap<>(Objects.requireNonNull(addresses, "addresses")));
        for (MemberId addressed : addresses.keySet()) {
            if (!learners.contains(addressed) && voters.stream().noneMatch(v -> v.id().equals(addressed))) {
                throw new IllegalArgumentException("address given for " + addressed + ", which is not a member");
            }
        }
    }

    /** A configuration whose members' addresses are not recorded. */
    public Configuration(List<Voter> voters, SortedSet<MemberId> learners, List<Voter> nominal) {
        this(voters, learners, nominal, new TreeMap<>());
    }

    /** A configuration with nobody suspended: the nominal list is the voters. */
    public Configuration(List<Voter> voters, SortedSet<MemberId> learners) {
        this(voters, learners, List.of());
    }

    /** Where {@code id} can be reached, if this configuration records it. */
    public Optional<MemberAddress> addressOf(MemberId id) {
        return Optional.ofNullable(addresses.get(id));
    }

    /** This configuration with {@code id}'s address recorded as {@code address}; {@code id} must be a member. */
    public Configuration withAddress(MemberId id, MemberAddress address) {
        SortedMap<MemberId, MemberAddress> newAddresses = new TreeMap<>(addresses);
        newAddresses.put(id, Objects.requireNonNull(address, "address"));
        return new Configuration(voters, learners, nominal, newAddresses);
    }

    /** The voters must appear in the nominal list in the same order with the same weights; the rest are learners. */
    private static void requireNominalCovers(List<Voter> voters, SortedSet<MemberId> learners, List<Voter> nominal) {
        SortedSet<MemberId> seen = new TreeSet<>();
        int next = 0;
        for (Voter configured : nominal) {
            if (!seen.add(configured.id())) {
                throw new IllegalArgumentException("duplicate nominal voter " + configured.id());
            }
            if (next < voters.size() && voters.get(next).equals(configured)) {
                next++;
            } else if (!learners.contains(configured.id())) {
                throw new IllegalArgumentException("nominal voter " + configured.id()
                        + " is neither a voter (in nominal order, at its nominal weight) nor a suspended learner");
            }
        }
        if (next != voters.size()) {
            throw new IllegalArgumentException("voter " + voters.get(next).id() + " is missing from the nominal list");
        }
    }

    /** A configuration of voters only. */
    public static Configuration ofVoters(List<Voter> voters) {
        return new Configuration(voters, new TreeSet<>());
    }

    /** The top-ranked voter, which wins ties. */
    public MemberId top() {
        return voters.get(0).id();
    }

    /** Total voter weight W. */
    public long totalWeight() {
        long total = 0;
        for (Voter voter : voters) {
            total += voter.weight();
        }
        return total;
    }

    /** The weight of {@code id}, 0 for learners and strangers. */
    public int weightOf(MemberId id) {
        for (Voter voter : voters) {
            if (voter.id().equals(id)) {
                return voter.weight();
            }
        }
        return 0;
    }

    /** Nominal voters currently removed by dynamic voting (PROTOCOL.md §7), in nominal rank order. */
    public List<Voter> suspended() {
        List<Voter> out = new ArrayList<>();
        for (Voter configured : nominal) {
            if (!isVoter(configured.id())) {
                out.add(configured);
            }
        }
        return out;
    }

    /** Total nominal weight: what {@code minWeightFraction} is a fraction of. */
    public long nominalWeight() {
        long total = 0;
        for (Voter voter : nominal) {
            total += voter.weight();
        }
        return total;
    }

    /** Dynamic voting's shrink: {@code suspects} stop voting and become learners; the nominal list is kept. */
    public Configuration suspending(Set<MemberId> suspects) {
        List<Voter> kept = new ArrayList<>();
        SortedSet<MemberId> newLearners = new TreeSet<>(learners);
        for (Voter voter : voters) {
            if (suspects.contains(voter.id())) {
                newLearners.add(voter.id());
            } else {
                kept.add(voter);
            }
        }
        return new Configuration(kept, newLearners, nominal, addresses);
    }

    /**
     * Dynamic voting's re-admission: {@code returning} suspended voters get back their nominal weight and rank, at
     * the incarnation they came back with.
     *
     * @param returning incarnation of each returning suspended voter
     */
    public Configuration readmitting(Map<MemberId, Long> returning) {
        List<Voter> newNominal = reincarnated(nominal, returning);
        List<Voter> restored = new ArrayList<>();
        SortedSet<MemberId> newLearners = new TreeSet<>(learners);
        for (Voter voter : newNominal) {
            if (isVoter(voter.id()) || returning.containsKey(voter.id())) {
                restored.add(voter);
                newLearners.remove(voter.id());
            }
        }
        return new Configuration(restored, newLearners, newNominal, addresses);
    }

    /**
     * Voters whose disks were wiped keep weight and rank but count from now on as the incarnation they came back with
     * (PROTOCOL.md §5). A change of voter incarnation changes the voters, so it always goes through a joint
     * configuration: the old and the new life are different voters, and each votes at most once per term.
     *
     * @param reborn the new incarnation of each voter (or suspended voter) concerned
     */
    public Configuration reincarnating(Map<MemberId, Long> reborn) {
        return new Configuration(reincarnated(voters, reborn), learners, reincarnated(nominal, reborn), addresses);
    }

    private static List<Voter> reincarnated(List<Voter> list, Map<MemberId, Long> reborn) {
        List<Voter> out = new ArrayList<>(list.size());
        for (Voter voter : list) {
            Long incarnation = reborn.get(voter.id());
            out.add(incarnation == null ? voter : voter.withIncarnation(incarnation));
        }
        return out;
    }

    /**
     * Records, for every voter of this configuration that is not a voter of {@code before} (added or promoted), the
     * incarnation {@code known} gives (negative: unknown, left as is). The leader stamps the members it adds with the
     * incarnation it hears from them.
     */
    public Configuration stampingNewVoters(QuorumSystem before, ToLongFunction<MemberId> known) {
        Map<MemberId, Long> reborn = new TreeMap<>();
        for (Voter voter : nominal) {
            long incarnation = known.applyAsLong(voter.id());
            if (!before.isVoter(voter.id()) && incarnation >= 0 && incarnation != voter.incarnation()) {
                reborn.put(voter.id(), incarnation);
            }
        }
        return reborn.isEmpty() ? this : reincarnating(reborn);
    }

    /** The incarnation recorded for voter {@code id} (nominal, so also for a suspended one); -1 for others. */
    public long incarnationOf(MemberId id) {
        for (Voter voter : nominal) {
            if (voter.id().equals(id)) {
                return voter.incarnation();
            }
        }
        return -1;
    }

    /**
     * The application adds a voter (or promotes a learner) at the lowest rank, or re-weights an existing one, keeping
     * its rank; a suspended voter is re-weighted in the nominal list and stays suspended.
     */
    public Configuration withVoter(MemberId id, int weight) {
        long incarnation = incarnationOf(id);
        Voter voter = new Voter(id, weight, Math.max(0, incarnation));
        boolean suspendedNow = suspended().stream().anyMatch(v -> v.id().equals(id));
        List<Voter> newVoters = replaceOrAppend(voters, voter, !suspendedNow);
        List<Voter> newNominal = replaceOrAppend(nominal, voter, true);
        SortedSet<MemberId> newLearners = new TreeSet<>(learners);
        if (!suspendedNow) {
            newLearners.remove(id);
        }
        return new Configuration(newVoters, newLearners, newNominal, addresses);
    }

    /** The application adds a learner, or demotes a voter to one (it leaves the nominal list). */
    public Configuration withLearner(MemberId id) {
        Configuration without = without(id);
        SortedSet<MemberId> newLearners = new TreeSet<>(without.learners);
        newLearners.add(id);
        SortedMap<MemberId, MemberAddress> keptAddresses = new TreeMap<>(without.addresses);
        addressOf(id).ifPresent(address -> keptAddresses.put(id, address)); // a demoted voter is the same machine
        return new Configuration(without.voters, newLearners, without.nominal, keptAddresses);
    }

    /** The application removes a member entirely (voter, suspended voter or learner). */
    public Configuration without(MemberId id) {
        List<Voter> newVoters = new ArrayList<>(voters);
        newVoters.removeIf(v -> v.id().equals(id));
        List<Voter> newNominal = new ArrayList<>(nominal);
        newNominal.removeIf(v -> v.id().equals(id));
        SortedSet<MemberId> newLearners = new TreeSet<>(learners);
        newLearners.remove(id);
        SortedMap<MemberId, MemberAddress> newAddresses = new TreeMap<>(addresses);
        newAddresses.remove(id);
        return new Configuration(newVoters, newLearners, newNominal, newAddresses);
    }

    /**
     * Replace (PROTOCOL.md §8): learner {@code replacement} takes voter {@code replaced}'s rank and weight, in the
     * voters if {@code replaced} votes now, and in the nominal list in any case; {@code replaced} leaves the group.
     * A suspended voter's replacement votes at once (it has caught up, or it would not be a voter).
     */
    public Configuration replacing(MemberId replaced, MemberId replacement) {
        long rank = nominal.stream().takeWhile(v -> !v.id().equals(replaced)).count();
        if (rank == nominal.size()) {
            throw new IllegalArgumentException(replaced + " is not a voter");
        }
        if (!learners.contains(replacement) || nominal.stream().anyMatch(v -> v.id().equals(replacement))) {
            throw new IllegalArgumentException(replacement + " must be a learner (not a suspended voter) to replace "
                    + replaced + "; add it as a learner first");
        }
        Voter old = nominal.get((int) rank);
        List<Voter> newNominal = new ArrayList<>(nominal);
        newNominal.set((int) rank, new Voter(replacement, old.weight())); // its incarnation is stamped by the leader
        List<Voter> newVoters = new ArrayList<>();
        for (Voter voter : newNominal) {
            if (isVoter(voter.id()) || voter.id().equals(replacement)) {
                newVoters.add(voter);
            }
        }
        SortedSet<MemberId> newLearners = new TreeSet<>(learners);
        newLearners.remove(replacement);
        newLearners.remove(replaced);
        SortedMap<MemberId, MemberAddress> newAddresses = new TreeMap<>(addresses);
        newAddresses.remove(replaced);
        return new Configuration(newVoters, newLearners, newNominal, newAddresses);
    }

    /** The application moves a voter to the top rank (it wins ties); its nominal rank moves with it. */
    public Configuration withTop(MemberId id) {
        return new Configuration(toFront(voters, id), learners, toFront(nominal, id), addresses);
    }

    private static List<Voter> replaceOrAppend(List<Voter> list, Voter voter, boolean appendIfAbsent) {
        List<Voter> out = new ArrayList<>(list);
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).id().equals(voter.id())) {
                out.set(i, voter);
                return out;
            }
        }
        if (appendIfAbsent) {
            out.add(voter);
        }
        return out;
    }

    private static List<Voter> toFront(List<Voter> list, MemberId id) {
        List<Voter> out = new ArrayList<>(list);
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).id().equals(id)) {
                out.add(0, out.remove(i));
                break;
            }
        }
        return out;
    }

    @Override
    public boolean isQuorumOf(VoterTest inSet) {
        return Quorums.isQuorumOf(voters, inSet);
    }

    @Override
    public boolean isVoter(MemberId id) {
        return weightOf(id) > 0;
    }

    @Override
    public boolean isVoterAs(MemberId id, long incarnation) {
        for (Voter voter : voters) {
            if (voter.id().equals(id)) {
                return voter.incarnation() == incarnation;
            }
        }
        return false;
    }

    @Override
    public SortedSet<MemberId> members() {
        SortedSet<MemberId> all = new TreeSet<>(learners);
        for (Voter voter : voters) {
            all.add(voter.id());
        }
        return Collections.unmodifiableSortedSet(all);
    }
}
