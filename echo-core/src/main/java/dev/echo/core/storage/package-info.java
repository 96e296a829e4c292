/**
 * The storage SPI: the {@link dev.echo.core.storage.Journal} a node's groups share, the per-group view the runtime
 * drives, the snapshot store, and typed {@link dev.echo.core.storage.StorageException}s. The file implementation
 * lives in {@code echo-journal}.
 */
package dev.echo.core.storage;
