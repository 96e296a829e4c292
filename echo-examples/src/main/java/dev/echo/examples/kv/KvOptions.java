package dev.echo.examples.kv;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.Tuning;
import dev.echo.core.View;
import dev.echo.journal.JournalOptions;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The command line of {@code bin/echo-kv}, parsed and validated. Every address is configurable so members can run on
 * separate hosts. Immutable.
 *
 * @param id this member's id
 * @param dataDirectory where the journal lives
 * @param members every voter in rank order with the address peers reach it at (this member's is its advertised
 *     address); for a member that joins, the seeds given with their ids
 * @param seeds for a member that joins, the seeds given as bare addresses: it asks each who it is at start-up
 * @param joinAt present when this member joins a running cluster: the address peers reach it at
 * @param weights voting weights (default 1)
 * @param peerBind where this member listens for peers (default: its advertised address)
 * @param clientBind where this member listens for RESP clients
 * @param transport tcp, tls or udp
 * @param clusterId peers of another cluster are refused
 * @param tlsKeyStore PKCS#12 key store (tls)
 * @param tlsTrustStore PKCS#12 trust store (tls)
 * @param tlsPassword password of both stores (tls)
 * @param keyFile file holding the cluster key (tcp and udp), at least 16 bytes
 * @param unauthenticated plain TCP without a key: an explicit, logged opt-in (PROTOCOL.md §10)
 * @param staleReads answer GET and MGET from local state instead of linearizably
 * @param suspectTimeoutMillis dynamic voting: a voter silent this long is suspended (0: static membership)
 * @param journalSpin how long the idle journal writer polls before it parks ({@code JournalOptions.idleSpinIterations})
 * @param metricsBind where to serve the Prometheus text format at {@code /metrics}, if at all (port 0: any)
 * @param restoreFrom a snapshot file to start a new cluster's member from (an empty data directory is seeded with it)
 * @param snapshotEvery snapshot the store every this many applied entries (0: never)
 * @param discovery the multicast group and port on which the cluster's voters answer who they are, if at all; a member
 *     started with neither {@code --members} nor {@code --join} finds its seeds there (PROTOCOL.md §8, "Discovery")
 * @param discoveryInterface the network interface discovery multicasts on (empty: the system's default)
 */
record KvOptions(
        MemberId id,
        Path dataDirectory,
        Map<MemberId, PeerAddress> members,
        List<PeerAddress> seeds,
        Optional<PeerAddress> joinAt,
        Map<MemberId, Integer> weights,
        PeerAddress peerBind,
        PeerAddress clientBind,
        String transport,
        String clusterId,
        Optional<Path> tlsKeyStore,
        Optional<Path> tlsTrustStore,
        String tlsPassword,
        Optional<Path> keyFile,
        boolean unauthenticated,
        boolean staleReads,
        long suspectTimeoutMillis,
        int journalSpin,
        Optional<InetSocketAddress> metricsBind,
        Optional<Path> restoreFrom,
        long snapshotEvery,
        Optional<InetSocketAddress> discovery,
        Optional<String> discoveryInterface) {

    static final String USAGE = String.join(
            "\n",
            "Usage: bin/echo-kv --id ID --data DIR --members ID=HOST:PORT,... --client HOST:PORT [options]",
            "       bin/echo-kv --id ID --data DIR --join HOST:PORT,... --advertise HOST:PORT --client HOST:PORT",
            "       bin/echo-kv --id ID --data DIR --discovery GROUP:PORT --advertise HOST:PORT --client HOST:PORT",
            "",
            "A replicated key-value server that speaks RESP2 (redis-cli, redis-benchmark): PING, GET, SET",
            "[NX|XX|IFEQ old], DEL, INCR, MGET, INFO. Reads are linearizable unless --stale-reads.",
            "Membership: " + MembershipCommands.USAGE + ".",
            "",
            "  --id ID                 this member's id ([A-Za-z0-9._-], 1..64 characters)",
            "  --data DIR              data directory (journal), created if missing",
            "  --members LIST          every voter in rank order: id=host:port,... (the first breaks ties);",
            "                          this member's entry is the address peers reach it at (advertised)",
            "  --join LIST             join a running cluster instead, from seeds: host:port,... of any",
            "                          members (id=host:port also works); include a current voter. The new",
            "                          member asks each seed who it is (retrying while none answers), asks",
            "                          to be added as a learner, then waits for ECHO.ADDVOTER or",
            "                          ECHO.REPLACE at any member",
            "  --advertise HOST:PORT   with --join or --discovery: where peers reach this member",
            "  --discovery GROUP:PORT  LAN discovery on a multicast group (e.g. 239.255.77.1:7799), under",
            "                          --key-file: voters answer who they are; a member started without",
            "                          --members or --join finds its seeds there and joins as with --join",
            "  --discovery-interface IF",
            "                          with --discovery: the network interface to multicast on",
            "                          (default: the system's)",
            "  --weights LIST          voting weights: id=weight,... (default 1 each)",
            "  --peer-bind HOST:PORT   where to listen for peers (default: this member's advertised address)",
            "  --client HOST:PORT      where to listen for RESP clients",
            "  --transport KIND        tcp (default; authenticated by --key-file), tls or udp",
            "  --cluster-id ID         cluster name; peers of another cluster are refused (default echo-kv)",
            "  --tls-keystore FILE     PKCS#12 key store with this member's key (CN = member id)   [tls]",
            "  --tls-truststore FILE   PKCS#12 trust store with the cluster's CA                  [tls]",
            "  --tls-password PASS     password of both stores                                     [tls]",
            "  --key-file FILE         the cluster key every member shares, at least 16 bytes  [tcp, udp]",
            "  --unauthenticated       plain TCP without a key: anyone who can reach the peer port",
            "                          and knows the cluster id can join (tests and closed networks only)",
            "  --stale-reads           answer reads from local state (faster, may lag)",
            "  --metrics HOST:PORT     serve Echo's metrics at http://HOST:PORT/metrics (Prometheus text format)",
            "  --suspect-timeout MS    dynamic voting: suspend a voter silent this long, re-admit it when it",
            "                          returns (default 5000; 0 keeps the membership static)",
            "  --journal-spin N        idle journal writer: poll N times before parking (default 2000,",
            "                          about 100 us: right with a spare core; 0 where members share cores)",
            "  --snapshot-every N      snapshot the store every N applied entries and compact the log",
            "                          (default 100000; 0 never: the log and a restart's replay grow",
            "                          without end)",
            "  --restore FILE          disaster recovery: start a new cluster's member from a snapshot file",
            "                          (DIR/snapshots/kv/snapshot-*.snap of an old member, or that directory",
            "                          for its newest): seeds an empty --data with it under --members, then",
            "                          runs. Restore every voter in --members from the same file, or start",
            "                          one and add the others",
            "  --help                  show this help",
            "",
            "Errors: -NOQUORUM and -OVERLOADED mean the write certainly had no effect (retry);",
            "-UNKNOWN means its outcome is unknown (it may or may not have been applied).",
            "A key or value is at most 512 KiB (8 KiB with --transport udp, whose messages fit a",
            "datagram); a larger one is answered -ERR bulk string of N bytes exceeds M, and the",
            "connection is then closed.");

    /**
     * Parses {@code args}.
     *
     * @throws IllegalArgumentException naming the wrong or missing option
     */
    static KvOptions parse(String[] args) {
        Map<String, String> values = new LinkedHashMap<>();
        boolean stale = false;
        boolean unauthenticated = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--stale-reads")) {
                stale = true;
            } else if (arg.equals("--unauthenticated")) {
                unauthenticated = true;
            } else if (arg.startsWith("--") && i + 1 < args.length) {
                values.put(arg.substring(2), args[++i]);
            } else {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
        }
        for (String key : values.keySet()) {
            if (!USAGE.contains("--" + key + " ")) {
                throw new IllegalArgumentException("unknown option --" + key);
            }
        }
        MemberId id = MemberId.of(required(values, "id"));
        boolean joining = !values.containsKey("members");
        if (!joining && values.containsKey("join")) {
            throw new IllegalArgumentException("give either --members (a member the cluster starts with) or --join"
                    + " (a member that joins a running cluster)");
        }
        if (joining && !values.containsKey("join") && !values.containsKey("discovery")) {
            throw new IllegalArgumentException("give --members (a member the cluster starts with), or --join or"
                    + " --discovery (a member that joins a running cluster)");
        }
        Optional<InetSocketAddress> discovery =
                Optional.ofNullable(values.get("discovery")).map(KvOptions::multicastGroup);
        if (values.containsKey("discovery-interface") && discovery.isEmpty()) {
            throw new IllegalArgumentException("--discovery-interface goes with --discovery");
        }
        Map<MemberId, PeerAddress> members = new LinkedHashMap<>();
        List<PeerAddress> seeds = new ArrayList<>();
        String option = joining ? "--join" : "--members";
        String list = joining ? values.getOrDefault("join", "") : required(values, "members");
        for (String item : list.isEmpty() ? new String[0] : list.split(",")) {
            String[] parts = item.split("=", 2);
            if (parts.length == 2) {
                MemberId member = MemberId.of(parts[0].trim());
                if (members.put(member, address(option, parts[1].trim())) != null) {
                    throw new IllegalArgumentException(option + " names " + member + " twice");
                }
            } else if (joining) { // a bare seed address: who listens there is asked at start-up
                seeds.add(address(option, item.trim()));
            } else {
                throw new IllegalArgumentException("--members entries are id=host:port: '" + item + "'");
            }
        }
        if (!joining && !members.containsKey(id)) {
            throw new IllegalArgumentException("--members must include this member " + id);
        }
        if (joining && members.containsKey(id)) {
            throw new IllegalArgumentException("--join lists the cluster's members, not this new member " + id);
        }
        if (joining != values.containsKey("advertise")) {
            throw new IllegalArgumentException(
                    "--advertise goes with --join or --discovery: where peers reach the new member");
        }
        Optional<PeerAddress> joinAt =
                joining ? Optional.of(address("--advertise", values.get("advertise"))) : Optional.empty();
        PeerAddress advertised = joinAt.orElse(members.get(id));
        Map<MemberId, Integer> weights = new LinkedHashMap<>();
        if (values.containsKey("weights")) {
            for (String item : values.get("weights").split(",")) {
                String[] parts = item.split("=", 2);
                MemberId member = MemberId.of(parts[0].trim());
                if (parts.length != 2 || !members.containsKey(member)) {
                    throw new IllegalArgumentException("--weights entries are member=weight: '" + item + "'");
                }
                long weight = number("--weights", parts[1].trim());
                if (weight < 1 || weight > View.Member.MAX_WEIGHT) {
                    throw new IllegalArgumentException("--weights: the weight of " + member + " must be 1.."
                            + View.Member.MAX_WEIGHT + ": " + weight);
                }
                weights.put(member, (int) weight);
            }
        }
        String transport = values.getOrDefault("transport", "tcp").toLowerCase(Locale.ROOT);
        if (!transport.equals("tcp") && !transport.equals("tls") && !transport.equals("udp")) {
            throw new IllegalArgumentException("--transport must be tcp, tls or udp: " + transport);
        }
        KvOptions options = new KvOptions(
                id,
                Path.of(required(values, "data")),
                members,
                List.copyOf(seeds),
                joinAt,
                weights,
                values.containsKey("peer-bind") ? address("--peer-bind", values.get("peer-bind")) : advertised,
                address("--client", required(values, "client")),
                transport,
                values.getOrDefault("cluster-id", "echo-kv"),
                Optional.ofNullable(values.get("tls-keystore")).map(Path::of),
                Optional.ofNullable(values.get("tls-truststore")).map(Path::of),
                values.getOrDefault("tls-password", ""),
                Optional.ofNullable(values.get("key-file")).map(Path::of),
                unauthenticated,
                stale,
                number("--suspect-timeout", values.getOrDefault("suspect-timeout", "5000")),
                (int) number(
                        "--journal-spin",
                        values.getOrDefault(
                                "journal-spin", Integer.toString(JournalOptions.DEFAULT_IDLE_SPIN_ITERATIONS))),
                Optional.ofNullable(values.get("metrics")).map(KvOptions::listenAddress),
                Optional.ofNullable(values.get("restore")).map(Path::of),
                number(
                        "--snapshot-every",
                        values.getOrDefault(
                                "snapshot-every",
                                Long.toString(Tuning.defaults().snapshotIntervalEntries()))),
                discovery,
                Optional.ofNullable(values.get("discovery-interface")));
        if (options.snapshotEvery < 0) {
            throw new IllegalArgumentException("--snapshot-every must be 0 or positive");
        }
        if (joining && options.restoreFrom.isPresent()) {
            throw new IllegalArgumentException("--restore starts a new cluster's member (with --members); a member"
                    + " that joins (--join) receives the state from the cluster");
        }
        if (discovery.isPresent() && options.keyFile.isEmpty()) {
            throw new IllegalArgumentException(
                    "--discovery needs --key-file: questions and answers are authenticated" + " with the cluster key");
        }
        if (options.journalSpin < 0) {
            throw new IllegalArgumentException("--journal-spin must be 0 or positive");
        }
        if (options.suspectTimeoutMillis < 0) {
            throw new IllegalArgumentException("--suspect-timeout must be 0 or positive");
        }
        if (transport.equals("tls") && (options.tlsKeyStore.isEmpty() || options.tlsTrustStore.isEmpty())) {
            throw new IllegalArgumentException("--transport tls needs --tls-keystore and --tls-truststore");
        }
        if (transport.equals("udp") && options.keyFile.isEmpty()) {
            throw new IllegalArgumentException("--transport udp needs --key-file");
        }
        if (transport.equals("tcp") && options.keyFile.isEmpty() && !unauthenticated) {
            throw new IllegalArgumentException("--transport tcp needs --key-file (the cluster key that authenticates"
                    + " peers), or --unauthenticated to run without one");
        }
        if (unauthenticated && (!transport.equals("tcp") || options.keyFile.isPresent())) {
            throw new IllegalArgumentException("--unauthenticated is for plain TCP without --key-file only");
        }
        return options;
    }

    /** Where peers reach this member: its {@code --members} entry, or {@code --advertise} when it joins. */
    PeerAddress advertised() {
        return joinAt.orElseGet(() -> members.get(id));
    }

    /** A whole-number option's value; a wrong one is reported with the option's name. */
    private static long number(String option, String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException(option + " takes a whole number: '" + text + "'", notANumber);
        }
    }

    /** A {@code host:port} option's value; a wrong one is reported with the option's name. */
    private static PeerAddress address(String option, String text) {
        try {
            return PeerAddress.parse(text);
        } catch (IllegalArgumentException wrong) {
            throw new IllegalArgumentException(option + ": " + wrong.getMessage() + " in '" + text + "'", wrong);
        }
    }

    /** {@code --discovery}'s multicast group and port. */
    private static InetSocketAddress multicastGroup(String text) {
        PeerAddress parsed;
        try {
            parsed = PeerAddress.parse(text);
        } catch (IllegalArgumentException wrong) {
            throw new IllegalArgumentException("--discovery must be GROUP:PORT: " + wrong.getMessage(), wrong);
        }
        InetSocketAddress group = new InetSocketAddress(parsed.host(), parsed.port());
        if (group.isUnresolved() || !group.getAddress().isMulticastAddress()) {
            throw new IllegalArgumentException(
                    "--discovery must name a multicast group (e.g. 239.255.77.1:7799): '" + text + "'");
        }
        return group;
    }

    /** {@code host:port} to listen on; unlike a peer's address, port 0 (any free port) is allowed. */
    private static InetSocketAddress listenAddress(String text) {
        int colon = text.lastIndexOf(':');
        String host = colon > 0 ? text.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = -1;
        try {
            port = colon > 0 ? Integer.parseInt(text.substring(colon + 1)) : -1;
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        if (host.isBlank() || port < 0 || port > 65535) {
            throw new IllegalArgumentException("--metrics must be host:port with a port of 0..65535: '" + text + "'");
        }
        return new InetSocketAddress(host, port);
    }

    private static String required(Map<String, String> values, String key) {
        String value = values.get(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return value;
    }
}
