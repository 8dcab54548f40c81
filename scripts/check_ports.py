"""Exit non-zero, naming the port, when a port the servers need is already taken."""

from __future__ import annotations

import socket
import sys


def port_is_free(port: int) -> bool:
    """True when nothing listens on the port (IPv4 loopback and any address)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def main(argv: list[str]) -> int:
    status = 0
    for raw in argv:
        try:
            port = int(raw)
        except ValueError:
            print(f"check_ports: {raw!r} is not a port number", file=sys.stderr)
            return 2
        if not port_is_free(port):
            print(
                f"check_ports: port {port} is already in use; stop what uses it or set another "
                "port (RASA_PORT / ACTIONS_PORT)",
                file=sys.stderr,
            )
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
