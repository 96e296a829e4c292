/** The demo ({@code bin/echo-demo}): a local echo-kv cluster of processes, a RESP client and the guided tour. */
package dev.echo.examples.demo;
