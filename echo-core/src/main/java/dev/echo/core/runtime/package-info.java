/**
 * The runtime behind {@link dev.echo.core.node.EchoNode} and {@link dev.echo.core.ReplicatedGroup}: group loops pinned to
 * a small pool of loop threads, the hand-off from transport and journal threads into them, and client sessions.
 * Internal: not an API; its public types exist only so the API package can reach them.
 */
package dev.echo.core.runtime;
