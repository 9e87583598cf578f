"""nginx (Debian's package, /usr/sbin/nginx) in front of several web processes, as the only way
in: a master of our own on a free loopback port, its configuration, pid, logs and temporary files
in a folder of its own, so it needs nothing of /etc/nginx and touches no system nginx. Used by
tests/portal/test_two_hosts.py and by bench/load.py --proxy.

Its `location /` is deploy/nginx.conf's (the upload limit, Host, X-Forwarded-For appended,
X-Forwarded-Proto passed on), with the web processes as one upstream taken in turn (nginx's
round-robin), a new connection to it for each request as deploy/nginx.conf opens (no upstream
keep-alive, so nginx never sends a POST down a connection gunicorn is just closing); each answer
says which one gave it (X-Upstream: its host:port).
"""

import http.client
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

NGINX = "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LoopbackHTTP:
    """Requests to a server of ours on the loopback (`self.port`), each on a fresh connection,
    as a phone's would be: nginx here, gunicorn in tests/webprocess.py."""

    timeout = 30

    def request(self, method, path, body=None, headers=None):
        """(status, headers, text); OSError when nothing answered."""
        status, response_headers, content = self.request_bytes(method, path, body, headers)
        return status, response_headers, content.decode(errors="replace")

    def request_bytes(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            conn.close()


def configuration(folder: Path, port: int, upstreams: list[int]) -> str:
    servers = "\n".join(f"        server 127.0.0.1:{upstream};" for upstream in upstreams)
    # A master started as root (CI) would run its workers as nobody, who may not write the
    # temporary files in this folder; they stay root here, on the loopback only.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes 1;
events {{
    worker_connections 4096;
}}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream web {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 32m;
        server_tokens off;
        location / {{
            proxy_pass http://web;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;
            proxy_read_timeout 120s;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


class Nginx(LoopbackHTTP):
    """The master in a process group of its own (daemon off), stopped by stop()."""

    timeout = 60

    def __init__(self, folder: Path, upstreams: list[int], port: int | None = None):
        if not Path(NGINX).is_file():
            raise RuntimeError(f"{NGINX} is missing: apt-get install nginx")
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.config = folder / "nginx.conf"
        self.config.write_text(configuration(folder, self.port, upstreams))
        self.log_path = folder / "error.log"
        self.process = subprocess.Popen(  # noqa: S603
            [NGINX, "-p", str(folder), "-e", str(self.log_path), "-c", str(self.config),
             "-g", f"daemon off; pid {folder}/nginx.pid;"],
            stdout=subprocess.DEVNULL,
            stderr=(folder / "master.log").open("w"),
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {self.logged()}")
            time.sleep(0.1)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def logged(self) -> str:
        return "\n".join(
            path.read_text(errors="replace")
            for path in (self.folder / "master.log", self.log_path)
            if path.exists()
        )

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGQUIT)  # graceful: finish what is in flight
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        for temporary in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            shutil.rmtree(self.folder / temporary, ignore_errors=True)
