/**
 * The parallel search of the virtual synchrony papers ({@code bin/echo-search}): every member holds the same records, a
 * query is multicast, member i of k answers from the i-th chunk, and the asker combines the answers; when a member
 * dies, the next view splits the records again.
 */
package dev.echo.examples.search;
