/**
 * The transport conformance suite: {@link dev.echo.testkit.transport.TransportConformance} states what every
 * {@link dev.echo.core.transport.Transport} must do; each implementation's tests extend it with a fixture.
 */
package dev.echo.testkit.transport;
