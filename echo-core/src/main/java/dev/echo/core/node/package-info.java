/**
 * Where an application starts Echo: {@link dev.echo.core.node.EchoNode} wires a transport, a journal and the runtime
 * into a node that joins groups. It sits above every other package of echo-core (docs/architecture.md, "Packages");
 * the types an application works with once a group is joined live in {@link dev.echo.core}.
 */
package dev.echo.core.node;
