/**
 * Echo's application API: what an application names once a node runs ({@link dev.echo.core.ReplicatedGroup},
 * {@link dev.echo.core.StateMachine}, {@link dev.echo.core.GroupOptions}, {@link dev.echo.core.Tuning},
 * {@link dev.echo.core.View}, {@link dev.echo.core.GroupStatus}, {@link dev.echo.core.GroupListener},
 * {@link dev.echo.core.EchoException}, {@link dev.echo.core.MemberId}, {@link dev.echo.core.NodeClock}). Start a
 * node with {@link dev.echo.core.node.EchoNode}.
 *
 * <p>This package depends on no other package of Echo (a build rule checks it), so the protocol, the runtime and the
 * SPIs can all use its values without a cycle, and none of their types leaks into an application's code.
 */
package dev.echo.core;
