# Sourced by the launchers that start local clusters (bin/echo-soak, echo-bench/scripts/redis-compare.sh).
#
# free_port prints a TCP port free now on 127.0.0.1, drawn below Linux's ephemeral range (32768 and up), where the
# kernel never puts the local end of a connection: between this check and the member's bind only another explicit
# bind can take it.
free_port() {
  python3 -c '
import random, socket
for _ in range(200):
    port = random.randrange(20000, 32768)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port)); print(port); break
    except OSError:
        pass
    finally:
        s.close()
else:
    raise SystemExit("no free port below the ephemeral range")'
}
