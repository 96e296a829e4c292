/** Throwaway TLS keys for tests: a certificate authority and member key stores made with the JDK's keytool. */
package dev.echo.testkit.tls;
