/**
 * The file journal: segments of checksummed records, one writer thread per node doing one force per batch,
 * recovery that truncates a torn tail, and the snapshot store. Not built yet (see the journal issue); the
 * module exists so the build, the dependency rules and the launchers already have their final shape.
 */
package dev.echo.journal;
