/**
 * Examples: the replicated key-value server speaking RESP, the replicated configuration map and the demo.
 * Not built yet (they need the runtime, journal and transport).
 */
package dev.echo.examples;
