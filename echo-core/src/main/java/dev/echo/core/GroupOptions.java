package dev.echo.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How a member takes part in one group: the group's initial membership, the protocol's settings, and the limits of
 * this member's client side. Immutable; built with {@link #builder}, which validates and names a wrong value.
 *
 * @param membership the initial voters (rank order, weights) and learners, as a view of epoch 0; every member must
 *     be given the same
 * @param tuning the replication protocol's settings (timeouts, batching, dynamic voting, snapshots)
 * @param maxInFlight most submitted operations and reads waiting for an outcome at this member
 * @param waitWhenFull when {@code maxInFlight} is reached: wait (up to the request timeout) instead of failing at
 *     once with {@link EchoException.Reason#OVERLOADED}
 * @param requestTimeout an operation with no outcome after this long fails with
 *     {@link EchoException.Reason#TIMEOUT} (outcome unknown)
 * @param incarnation this member's incarnation when the group is first created on this node
 * @param maxInboxMessages messages from peers waiting for the group loop; beyond it they are dropped and counted
 * @param newMember this member is not in {@code configuration}: it starts as {@link GroupStatus.Role#NOT_MEMBER}
 *     and takes part once the leader adds it ({@link ReplicatedGroup#addLearner}, then
 *     {@link ReplicatedGroup#addVoter}); give it the group's initial configuration like everyone else
 * @param joinAddress if present, this new member asks by itself to join as a learner at this address (PROTOCOL.md
 *     §8), at the members its transport knows as seeds, until it is a member; implies {@code newMember}
 * @param membershipPolicy when this member leads, what it approves beyond voters' requests ({@link MembershipPolicy})
 * @param multicast whether the group offers view-synchronous multicast beside its log (PROTOCOL.md §13); every member
 *     must be given the same
 */
public record GroupOptions(
        View membership,
        Tuning tuning,
        int maxInFlight,
        boolean waitWhenFull,
        Duration requestTimeout,
        long incarnation,
        int maxInboxMessages,
        boolean newMember,
        Optional<MemberAddress> joinAddress,
        Optional<MembershipPolicy> membershipPolicy,
        boolean multicast) {
    /** Validates every setting. */
    public GroupOptions {
        Objects.requireNonNull(membership, "membership");
        if (membership.voters().isEmpty() || !membership.suspended().isEmpty() || membership.epoch() != 0) {
            throw new IllegalArgumentException("the initial membership needs voters, no suspended ones, epoch 0");
        }
        Objects.requireNonNull(tuning, "tuning");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1: " + maxInFlight);
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive: " + requestTimeout);
        }
        if (incarnation < 0) {
            throw new IllegalArgumentException("incarnation must not be negative: " + incarnation);
        }
        Objects.requireNonNull(joinAddress, "joinAddress");
        Objects.requireNonNull(membershipPolicy, "membershipPolicy");
        if (joinAddress.isPresent() && !newMember) {
            throw new IllegalArgumentException("a member that asks to join is a new member");
        }
        if (maxInboxMessages < 16) {
            throw new IllegalArgumentException("maxInboxMessages must be at least 16: " + maxInboxMessages);
        }
    }

    /** A builder; add at least one voter. */
    public static Builder builder() {
        return new Builder();
    }

    /** Collects settings; {@link #build} validates them. Not thread-safe. */
    public static final class Builder {
        private final List<View.Member> voters = new ArrayList<>();
        private final TreeSet<MemberId> learners = new TreeSet<>();
        private final TreeMap<MemberId, MemberAddress> addresses = new TreeMap<>();
        private Tuning tuning = Tuning.defaults();
        private int maxInFlight = 10_000;
        private boolean waitWhenFull;
        private Duration requestTimeout = Duration.ofSeconds(30);
        private long incarnation;
        private int maxInboxMessages = 8192;
        private boolean newMember;
        private Optional<MemberAddress> joinAddress = Optional.empty();
        private Optional<MembershipPolicy> membershipPolicy = Optional.empty();
        private boolean multicast;

        private Builder() {}

        /** Adds a voter with weight 1; the first voter added ranks first (breaks ties). */
        public Builder voter(MemberId member) {
            return voter(member, 1);
        }

        /** Adds a voter with {@code weight}; voters rank in the order they are added. */
        public Builder voter(MemberId member, int weight) {
            voters.add(new View.Member(member, weight));
            return this;
        }

        /**
         * Adds a voter with {@code weight}, reachable at {@code address}: the configuration records it, so a machine
         * that joins later learns it from the log (PROTOCOL.md §8).
         */
        public Builder voter(MemberId member, int weight, MemberAddress address) {
            voter(member, weight);
            addresses.put(member, Objects.requireNonNull(address, "address"));
            return this;
        }

        /** Adds a learner: a non-voting member that receives the committed stream. */
        public Builder learner(MemberId member) {
            learners.add(Objects.requireNonNull(member, "member"));
            return this;
        }

        /** Adds a learner reachable at {@code address}. */
        public Builder learner(MemberId member, MemberAddress address) {
            learner(member);
            addresses.put(member, Objects.requireNonNull(address, "address"));
            return this;
        }

        /** The replication protocol's settings (default {@link Tuning#defaults()}). */
        public Builder tuning(Tuning value) {
            tuning = value;
            return this;
        }

        /** In-flight limit, and whether to wait or fail when it is reached (default 10,000, fail). */
        public Builder maxInFlight(int value, boolean waitWhenFull) {
            maxInFlight = value;
            this.waitWhenFull = waitWhenFull;
            return this;
        }

        /** Request timeout (default 30 s). */
        public Builder requestTimeout(Duration value) {
            requestTimeout = value;
            return this;
        }

        /** Incarnation recorded when the group is first created on this node (default 0). */
        public Builder incarnation(long value) {
            incarnation = value;
            return this;
        }

        /** Inbox bound for messages from peers (default 8192). */
        public Builder maxInboxMessages(int value) {
            maxInboxMessages = value;
            return this;
        }

        /** This member is not in the initial configuration; it waits to be added (default: it must be in it). */
        public Builder newMember() {
            newMember = true;
            return this;
        }

        /**
         * This member is new and asks to join by itself (PROTOCOL.md §8): as a learner reachable at {@code address},
         * asking the members its transport knows (the seeds) again and again, backing off, until the leader has added
         * it. Promote it with {@link ReplicatedGroup#addVoter} or {@link ReplicatedGroup#replace} once it is in.
         */
        public Builder joinAt(MemberAddress address) {
            newMember = true;
            joinAddress = Optional.of(address);
            return this;
        }

        /**
         * What this member, when it leads, approves beyond voters' requests (default: nothing; a non-voter may only add
         * itself as a learner or leave). Give every member the same policy: any of them may lead.
         */
        public Builder membershipPolicy(MembershipPolicy policy) {
            membershipPolicy = Optional.of(policy);
            return this;
        }

        /**
         * Offers view-synchronous multicast beside the log ({@link ReplicatedGroup#multicast}, PROTOCOL.md §13; off by
         * default). Give every member the same: the leader installs multicast views through the log.
         */
        public Builder multicast(boolean enabled) {
            multicast = enabled;
            return this;
        }

        /** Validates and builds. */
        public GroupOptions build() {
            if (voters.isEmpty()) {
                throw new IllegalArgumentException("a group needs at least one voter");
            }
            return new GroupOptions(
                    new View(voters, learners, List.of(), 0, addresses), // checks duplicates and overlaps
                    tuning,
                    maxInFlight,
                    waitWhenFull,
                    requestTimeout,
                    incarnation,
                    maxInboxMessages,
                    newMember,
                    joinAddress,
                    membershipPolicy,
                    multicast);
        }
    }
}
