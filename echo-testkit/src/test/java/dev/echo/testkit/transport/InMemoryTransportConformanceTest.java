package dev.echo.testkit.transport;

import dev.echo.core.MemberId;
import dev.echo.core.codec.MessageCodec;
import dev.echo.core.transport.InMemoryNetwork;
import dev.echo.core.transport.Transport;

/** The in-memory transport passes the conformance suite. */
class InMemoryTransportConformanceTest extends TransportConformance {
    @Override
    protected Fixture createFixture() {
        MessageCodec codec = new MessageCodec(16 << 10, 64, 64 << 10);
        InMemoryNetwork network = new InMemoryNetwork(codec);
        return new Fixture() {
            @Override
            public MessageCodec codec() {
                return codec;
            }

            @Override
            public Transport create(MemberId member) {
                return network.transport(member);
            }

            @Override
            public void injectGarbage(MemberId target, byte[] bytes) {
                network.injectRaw(target, bytes);
            }

            @Override
            public int queueBound() {
                return 0; // no queue: a message to a member that is not running is dropped at once
            }
        };
    }
}
