/**
 * Echo's testkit: the deterministic simulator with its invariant checkers and mutants, the linearizability checker,
 * simulated storage, and the conformance suite every transport passes (docs/testing.md). It drives the protocol
 * core directly, which is why echo-core exports its protocol package to this module alone.
 */
module dev.echo.testkit {
    requires transitive dev.echo.core;
    requires transitive dev.echo.journal; // SimFileLayer is a FileLayer
    requires static org.junit.jupiter.api; // the transport conformance suite and @SimulationTest

    exports dev.echo.testkit.check;
    exports dev.echo.testkit.cli;
    exports dev.echo.testkit.junit;
    exports dev.echo.testkit.kv;
    exports dev.echo.testkit.lin;
    exports dev.echo.testkit.sim;
    exports dev.echo.testkit.storage;
    exports dev.echo.testkit.tls;
    exports dev.echo.testkit.transport;
}
