"""`python -m launcher` (what `make run` calls): seed, start everything, print the URLs."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
import signal
import subprocess
import sys

from launcher.services import ServiceSpec, build_services, shared_environment
from launcher.settings import PRIVATE_UMASK, REPO_ROOT, LauncherSettings, tighten_private_files
from launcher.supervisor import LaunchError, Supervisor, check_ports_free

log = logging.getLogger("launcher")


def _run_setup_step(description: str, module: str, args: list[str], env: dict[str, str]) -> str:
    """Run a one-off setup command (seed, demo agent) and return what it printed."""
    if importlib.util.find_spec(module.split(" ", maxsplit=1)[0]) is None:
        return ""
    log.info("%s ...", description)
    result = subprocess.run(  # noqa: PLW1510 (exit code checked below)
        [sys.executable, "-m", module, *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        umask=PRIVATE_UMASK,
    )
    if result.returncode != 0:
        raise LaunchError(f"{description} failed:\n{result.stdout}{result.stderr}")
    return result.stdout.strip()


def _banner(settings: LauncherSettings, services: list[ServiceSpec], extra: str) -> str:
    lines = ["", "=" * 72, "Everything is up. Press Ctrl-C to stop all services.", ""]
    for service in services:
        for label, url in service.public_urls.items():
            lines.append(f"  {label:<32} {url}")
    lines += [
        "",
        "  Talk to the bot from a terminal:",
        f"    curl -s -X POST http://{settings.host}:{settings.rasa_port}/webhooks/rest/webhook \\",
        '      -H "Content-Type: application/json" \\',
        '      -d \'{"sender": "demo-1", "message": "where is my order ORD-10003? my email is sofia.rossi@example.com"}\'',
        # The API secret is never printed: it stays in var/rasa_token (0600) and the environment.
        f"  Rasa HTTP API: Authorization: Bearer <JWT signed with {settings.var_dir / 'rasa_token'}>",
    ]
    if extra:
        lines += ["", *("  " + line for line in extra.splitlines())]
    lines.append("=" * 72)
    return "\n".join(lines)


async def _serve(
    settings: LauncherSettings, services: list[ServiceSpec], env: dict[str, str], extra: str
) -> int:
    supervisor = Supervisor(services, env, cwd=str(REPO_ROOT))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        starting = asyncio.create_task(supervisor.start_all(settings.startup_timeout_s))
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait({starting, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if stop.is_set():
            starting.cancel()
            log.info("Stopping before everything had started ...")
            return 130
        starting.result()  # raises LaunchError if a service failed to start
        print(_banner(settings, services, extra), flush=True)
        exited = asyncio.create_task(supervisor.wait_for_first_exit())
        await asyncio.wait({exited, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if exited.done():
            crashed = exited.result()
            log.error(
                "%s exited with code %s; stopping the others.", crashed.spec.name, crashed.process.returncode
            )
            return 1
        log.info("Stopping all services ...")
        return 0
    finally:
        await supervisor.stop_all()
        log.info("All services stopped.")


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="launcher | %(message)s")
    # Secrets and databases are created owner-only from the start (children inherit it too).
    os.umask(PRIVATE_UMASK)
    settings = LauncherSettings.from_env()
    for path in tighten_private_files(settings.var_dir):
        log.warning("%s was readable by other users; it is owner-only (0600) now", path)
    services = build_services(settings)
    env = shared_environment(settings)
    try:
        if not settings.model_path.exists():
            raise LaunchError(f"no trained model at {settings.model_path}; run `make train` first.")
        check_ports_free(settings.host, services)
        _run_setup_step("Seeding the demo store", "shop.seed", [], env)
        extra = _run_setup_step("Creating the demo agent", "handoff.cli", ["ensure-demo-agent"], env)
        return asyncio.run(_serve(settings, services, env, extra))
    except LaunchError as error:
        log.error("%s", error)
        return 1


if __name__ == "__main__":
    sys.exit(main())
