/** Storage for tests: an in-memory {@link dev.echo.core.storage.Journal} that survives "restarts" of a node. */
package dev.echo.testkit.storage;
