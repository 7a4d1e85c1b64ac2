"""Load-test the Police Data page under gunicorn, and nginx in front of it, with wrk, and print
the figures.

Starts gunicorn (production settings, 2 workers) on a scratch copy of the demo data, and nginx
with deploy/nginx.conf in front of it, and runs wrk against: the page served from the app's
cache; the same bytes as a static file through WhiteNoise; the same bytes served by nginx from
disk; the page through nginx's cache; the page with a random query string each time (from the
app, then through nginx, whose cache each one misses); the page rendered on every request.
Prints requests/s, p50/p99 latency, errors and non-2xx responses, and the ratios. Asserts
nothing. Traffic goes to 127.0.0.1 only, for a bounded time.

``deploy_config`` and ``nginx`` also start nginx for tests/deployment/test_proxy.py.
"""

import contextlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

PAGE = "/document-library/police-data/"
STATIC_COPY = "bench/police-data.html"
# A different query string on every request: each is a page no cache has seen by its address.
RANDOM_QUERY = """
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, wrk.path .. "?utm_source=" .. math.random(1, 2000000000) .. "-" .. counter)
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def deploy_config(*, app_port: int, port: int) -> str:
    """deploy/nginx.conf with only the app's port, nginx's port and the cache folder changed (to
    "cache" in the folder of ``nginx()``)."""
    text = (Path(settings.BASE_DIR) / "deploy" / "nginx.conf").read_text()
    for shipped, here in (
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("/var/cache/nginx/pcc", "cache"),
    ):
        if text.count(shipped) != 1:
            raise CommandError(f"deploy/nginx.conf should have {shipped!r} once, to be replaced for a test.")
        text = text.replace(shipped, here)
    return text


@contextlib.contextmanager
def nginx(http_config: str, ports: list[int]):
    """nginx in the foreground with ``http_config`` in its http block and every file it writes in
    a folder of its own (its prefix: relative paths are in it); yields that folder once nginx
    answers on ``ports``, and stops it on the way out, after a failure too."""
    binary = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if not binary:
        raise CommandError("nginx is not installed (Debian package nginx): run `make install-test`.")
    folder = Path(tempfile.mkdtemp(prefix="pcc-nginx-"))
    folder.chmod(0o755)  # nginx's workers run as nobody when it is started as root
    (folder / "site.conf").write_text(http_config)
    (folder / "nginx.conf").write_text(
        f"""
daemon off;
worker_processes 2;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    default_type application/octet-stream;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
"""
    )
    process = subprocess.Popen(
        [binary, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(folder / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        waiting = set(ports)
        while waiting:
            if process.poll() is not None or time.monotonic() > deadline:
                log = (folder / "error.log").read_text() if (folder / "error.log").exists() else ""
                raise CommandError(f"nginx did not start:\n{log}")
            for port in list(waiting):
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                    waiting.discard(port)
            time.sleep(0.05)
        yield folder
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)


class Command(BaseCommand):
    help = "Run wrk against gunicorn: cached page, uncached page, and the same bytes as a static file."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "60")))
        parser.add_argument("--connections", type=int, default=64)

    def handle(self, *args, seconds, connections, **options):
        if not shutil.which("wrk"):
            raise CommandError(
                "wrk is not installed (Debian package wrk): run `make bench`, which installs it."
            )
        base = Path(settings.BASE_DIR)
        workdir = Path(tempfile.mkdtemp(prefix="pcc-bench-"))
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "STATIC_ROOT": str(workdir / "static"),
            "DJANGO_SETTINGS_MODULE": "pcc_site.settings",
            "HTTPS": "0",  # nginx in front speaks plain HTTP, and says so in X-Forwarded-Proto
        }
        manage = [sys.executable, str(base / "manage.py")]
        try:
            for step in (
                ["migrate", "--noinput", "-v0"],
                ["load_demo_data"],
                ["collectstatic", "--noinput", "-v0"],
            ):
                subprocess.run([*manage, *step], env=env, check=True, capture_output=True, cwd=base)
            with self.server(env, base, cache=True) as url:
                page = self.fetch(url + PAGE)
            static_file = workdir / "static" / STATIC_COPY
            static_file.parent.mkdir(parents=True, exist_ok=True)
            static_file.write_bytes(page)
            workdir.chmod(0o755)  # for nginx's workers, which serve the static copy too
            self.stdout.write(
                f"wrk: {connections} connections, {seconds} s each, 2 gunicorn workers, 2 nginx workers; "
                f"page {len(page):,} bytes\n"
            )
            self.stdout.write(
                f"{'target':<40} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'non-2xx':>8}"
            )
            with self.server(env, base, cache=True) as url:
                self.fetch(url + PAGE)  # store it
                proxy_port, static_port = free_port(), free_port()
                app_port = int(url.rsplit(":", 1)[1])
                proxy = deploy_config(app_port=app_port, port=proxy_port)
                plain_static = (
                    f"server {{ listen 127.0.0.1:{static_port}; root {workdir / 'static'}; "
                    "types { text/html html; } }"
                )
                with nginx(f"{proxy}\n{plain_static}", [proxy_port, static_port]):
                    proxied_url = f"http://127.0.0.1:{proxy_port}"
                    self.fetch(proxied_url + PAGE)  # store it there too
                    runs = {
                        "cached": ("page, cached by the app", url + PAGE),
                        "static": ("same bytes, static via WhiteNoise", f"{url}/static/{STATIC_COPY}"),
                        "nginx_static": (
                            "same bytes, static via nginx",
                            f"http://127.0.0.1:{static_port}/{STATIC_COPY}",
                        ),
                        "proxied": ("page, through nginx's proxy_cache", proxied_url + PAGE),
                    }
                    results = {
                        name: self.wrk(label, target, seconds, connections)
                        for name, (label, target) in runs.items()
                    }
                    results["random"] = self.wrk(
                        "page, random query string, app",
                        url + PAGE,
                        seconds,
                        connections,
                        script=RANDOM_QUERY,
                    )
                    results["random_proxied"] = self.wrk(
                        "page, random query string, via nginx",
                        proxied_url + PAGE,
                        seconds,
                        connections,
                        script=RANDOM_QUERY,
                    )
            with self.server(env, base, cache=False) as url:
                results["uncached"] = self.wrk("page, rendered every time", url + PAGE, seconds, connections)
                results["single"] = self.wrk("page, rendered, one at a time", url + PAGE, min(seconds, 10), 1)
            rps = {name: result["rps"] for name, result in results.items()}
            self.stdout.write(
                f"\ncached / static via WhiteNoise: {rps['cached'] / rps['static']:.2f} (goal ≥ 0.9)\n"
                f"through nginx's cache / static via nginx: {rps['proxied'] / rps['nginx_static']:.2f} (goal ≥ 0.8)\n"
                f"random query strings / cached, app: {rps['random'] / rps['cached']:.2f}\n"
                f"random query strings via nginx / through nginx's cache: {rps['random_proxied'] / rps['proxied']:.2f}\n"
                f"uncached server time per request (one connection, p50): {results['single']['p50']:.2f} ms (goal ≤ 10 ms)\n"
                f"uncached / cached throughput: {rps['uncached'] / rps['cached']:.2f}\n"
                f"errors and non-2xx over all runs: "
                f"{sum(r['errors'] + r['non2xx'] for r in results.values())}"
            )
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    def server(self, env, base, *, cache: bool):
        command = self

        class Server:
            def __enter__(self):
                self.port = free_port()
                server_env = {**env, "PAGE_CACHE_SECONDS": "600" if cache else "0"}
                self.process = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "pcc_site.wsgi",
                        "--workers",
                        "2",
                        "--bind",
                        f"127.0.0.1:{self.port}",
                        "--log-level",
                        "warning",
                    ],
                    env=server_env,
                    cwd=base,
                )
                url = f"http://127.0.0.1:{self.port}"
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    try:
                        command.fetch(url + PAGE)
                        return url
                    except OSError:
                        time.sleep(0.2)
                self.__exit__(None, None, None)
                raise CommandError("gunicorn did not start within 30 seconds.")

            def __exit__(self, *exc):
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()

        return Server()

    @staticmethod
    def fetch(url: str) -> bytes:
        request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.read()

    def wrk(self, label, url, seconds, connections, *, script: str | None = None) -> dict:
        threads = min(2, connections)
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
            lua.write(script or "")
            lua.flush()
            output = self.run_wrk(url, seconds, connections, threads, ["-s", lua.name] if script else [])
        result = self.parse(output)
        self.stdout.write(
            f"{label:<40} {result['rps']:>9.0f} {result['p50']:>8.2f} {result['p99']:>8.2f} "
            f"{result['errors']:>7} {result['non2xx']:>8}"
        )
        return result

    @staticmethod
    def run_wrk(url, seconds, connections, threads, extra) -> str:
        return subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "--timeout",
                "10s",
                "-H",
                "X-Forwarded-Proto: https",
                *extra,
                url,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        ).stdout

    def parse(self, output: str) -> dict:
        return {
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50": self.millis(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),
            "p99": self.millis(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),
            "non2xx": int(m.group(1))
            if (m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output))
            else 0,
            "errors": sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output)),
        }

    @staticmethod
    def millis(text: str) -> float:
        value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
