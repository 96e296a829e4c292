/**
 * Binary encodings shared by the journal and the transports, with bounds-checked decoders that report every bad
 * input as a {@link dev.echo.core.codec.CodecException}.
 */
package dev.echo.core.codec;
