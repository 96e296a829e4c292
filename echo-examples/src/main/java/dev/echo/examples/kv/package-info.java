/**
 * {@code echo-kv}: a replicated key-value server speaking the Redis protocol (RESP2), built on Echo's public API.
 */
package dev.echo.examples.kv;
