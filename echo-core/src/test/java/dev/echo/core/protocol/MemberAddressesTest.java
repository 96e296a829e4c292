package dev.echo.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.MemberAddress;
import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.codec.CodecException;
import dev.echo.core.codec.EntryCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Members are machines (PROTOCOL.md §8): addresses in configurations, their edits, and their encoding. */
class MemberAddressesTest {
    private static final MemberId A = MemberId.of("a");
    private static final MemberId B = MemberId.of("b");
    private static final MemberId C = MemberId.of("c");
    private static final MemberId D = MemberId.of("d");
    private static final MemberAddress AT_A = address("10.0.0.1", 7001);
    private static final MemberAddress AT_B = address("10.0.0.2", 7002);
    private static final MemberAddress AT_D = address("10.0.0.4", 7004);

    private static MemberAddress address(String host, int port) {
        return MemberAddress.of(new PeerAddress(host, port), ("client=" + host).getBytes(StandardCharsets.UTF_8));
    }

    /** a (weight 2, top), b, c; a and b addressed. */
    private static Configuration abc() {
        return new Configuration(List.of(new Voter(A, 2), new Voter(B, 1), new Voter(C, 1)), new TreeSet<>())
                .withAddress(A, AT_A)
                .withAddress(B, AT_B);
    }

    @Test
    void addressesFollowTheirMembersThroughEveryEdit() {
        Configuration abc = abc();
        assertEquals(Optional.of(AT_B), abc.withLearner(B).addressOf(B), "a demoted voter is the same machine");
        assertEquals(Optional.of(AT_B), abc.suspending(Set.of(B)).addressOf(B));
        assertEquals(
                Optional.of(AT_B),
                abc.suspending(Set.of(B)).readmitting(java.util.Map.of(B, 0L)).addressOf(B));
        assertEquals(Optional.of(AT_A), abc.withTop(B).withVoter(A, 3).addressOf(A));
        assertEquals(Optional.empty(), abc.without(B).addressOf(B), "a removed member's address goes with it");
        assertThrows(IllegalArgumentException.class, () -> abc.withAddress(D, AT_D), "only members have addresses");
    }

    @Test
    void aJoinRecordsTheAddressIsRetrySafeAndNeverDemotes() {
        MembershipChange join = new MembershipChange.AddLearner(D, Optional.of(AT_D));
        Configuration joined = join.applyTo(abc());
        assertTrue(joined.learners().contains(D));
        assertEquals(Optional.of(AT_D), joined.addressOf(D));
        assertEquals(joined, join.applyTo(joined), "a retried join changes nothing");
        MemberAddress sameEndpoint = MemberAddress.of(AT_D.endpoint());
        assertEquals(
                joined,
                new MembershipChange.AddLearner(D, Optional.of(sameEndpoint)).applyTo(joined),
                "the same machine named by its endpoint only: its recorded metadata stays");
        assertThrows(
                IllegalArgumentException.class,
                () -> new MembershipChange.AddLearner(D, Optional.of(AT_B)).applyTo(joined),
                "an id in use at another address is refused");
        Configuration voting = joined.withVoter(D, 1);
        assertEquals(voting, join.applyTo(voting), "a join repeated by a member promoted since never demotes it");
        Configuration unaddressed = new MembershipChange.AddLearner(C, Optional.of(AT_D)).applyTo(abc());
        assertTrue(unaddressed.isVoter(C), "a member whose address was not recorded keeps its role");
        assertEquals(Optional.of(AT_D), unaddressed.addressOf(C), "and its address is learnt");
    }

    @Test
    void aReplacementTakesTheRankAndWeightOfTheReplaced() {
        Configuration withD = abc().withLearner(D).withAddress(D, AT_D);
        Configuration replaced = new MembershipChange.Replace(D, A).applyTo(withD);
        assertEquals(List.of(new Voter(D, 2), new Voter(B, 1), new Voter(C, 1)), replaced.voters());
        assertFalse(replaced.members().contains(A));
        assertEquals(Optional.empty(), replaced.addressOf(A));
        assertEquals(Optional.of(AT_D), replaced.addressOf(D));
        assertEquals(replaced, new MembershipChange.Replace(D, A).applyTo(replaced), "a retry changes nothing");

        // The usual case: the dead voter was suspended by dynamic voting; its replacement votes at once.
        Configuration suspended = withD.suspending(Set.of(B));
        Configuration swapped = new MembershipChange.Replace(D, B).applyTo(suspended);
        assertEquals(List.of(new Voter(A, 2), new Voter(D, 1), new Voter(C, 1)), swapped.voters());
        assertEquals(swapped.voters(), swapped.nominal());
        assertTrue(swapped.learners().isEmpty());

        assertThrows(
                IllegalArgumentException.class,
                () -> new MembershipChange.Replace(D, A).applyTo(abc()),
                "the replacement must be a learner first");
        assertThrows(
                IllegalArgumentException.class,
                () -> new MembershipChange.Replace(C, A).applyTo(withD),
                "a voter cannot replace another");
    }

    @Test
    void configurationsWithoutAddressesKeepTheEncodingOlderReleasesRead() throws CodecException {
        Configuration plain = Configuration.ofVoters(List.of(new Voter(A, 1), new Voter(B, 1)));
        byte[] bytes = encode(plain);
        assertEquals(1, bytes[0], "the single kind older releases wrote and read");
        assertEquals(plain, EntryCodec.readQuorumSystem(ByteBuffer.wrap(bytes)));

        Configuration addressed = abc();
        byte[] addressedBytes = encode(addressed);
        assertEquals(3, addressedBytes[0], "the addressed kind");
        assertEquals(addressed, EntryCodec.readQuorumSystem(ByteBuffer.wrap(addressedBytes)));
        JointConfiguration joint = new JointConfiguration(plain, addressed);
        assertEquals(joint, EntryCodec.readQuorumSystem(ByteBuffer.wrap(encode(joint))));
    }

    @Test
    void anAddressedEncodingWithoutAddressesIsNotOurs() {
        byte[] plain = encode(Configuration.ofVoters(List.of(new Voter(A, 1))));
        byte[] forged = java.util.Arrays.copyOf(plain, plain.length + 1); // an empty address list appended
        forged[0] = 3;
        CodecException refused =
                assertThrows(CodecException.class, () -> EntryCodec.readQuorumSystem(ByteBuffer.wrap(forged)));
        assertEquals(CodecException.Reason.INVALID_VALUE, refused.reason());
    }

    @Test
    void anAddressForAStrangerIsRefusedAtDecode() {
        byte[] bytes = encode(abc());
        // Rename member c in the voter list: a's and b's addresses stay valid, so rename b instead and keep its
        // address.
        String text = new String(bytes, StandardCharsets.ISO_8859_1).replaceFirst("\u0001b", "\u0001e");
        byte[] forged = text.getBytes(StandardCharsets.ISO_8859_1);
        CodecException refused =
                assertThrows(CodecException.class, () -> EntryCodec.readQuorumSystem(ByteBuffer.wrap(forged)));
        assertEquals(CodecException.Reason.INVALID_VALUE, refused.reason());
    }

    private static byte[] encode(QuorumSystem system) {
        ByteBuffer out = ByteBuffer.allocate(EntryCodec.quorumSystemSize(system));
        EntryCodec.writeQuorumSystem(system, out);
        assertEquals(0, out.remaining(), "the size is exact");
        return out.array();
    }
}
