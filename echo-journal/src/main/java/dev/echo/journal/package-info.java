/**
 * The file journal: one per node, shared by every group the node hosts.
 *
 * <p>Records ({@code RecordFormat}) live in preallocated segment files; each segment starts with a header that
 * summarises every group (identity, term/vote, snapshot position, last index), so old segments can be deleted once no
 * group needs their entries. One writer thread drains all groups' persists, writes them, forces <b>once</b> per batch
 * and then reports each group durable; a SEAL record after each forced batch lets recovery distinguish a torn write
 * (cut silently: it was never acknowledged) from damage to forced data (a typed fault for the group, which is then
 * repaired from its leader, by a snapshot or the whole log). See {@code Recovery} for the exact rules and docs/architecture.md.
 */
package dev.echo.journal;
