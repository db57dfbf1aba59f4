"""`python -m launcher.rasa_server [rasa run options]`: Rasa's server, its API secret from the
environment.

`rasa run --auth-token T` (or `--jwt-secret S`) puts the secret on the command line, where
every local user reads it in `ps`, and Rasa's token auth takes it only as `?token=` in the
URL, where logs and error messages repeat it. This wrapper reads RASA_TOKEN from the
environment and gives it to Rasa in process as the secret of Rasa's JWT authentication:
Rasa's HTTP API then accepts only `Authorization: Bearer <JWT signed with RASA_TOKEN>`
(launcher.services.rasa_api_headers; the gateway signs its own in
handoff/rasa_client.py), and no URL
carries a secret. Everything else is `rasa run`, option for option.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

import rasa.__main__ as rasa_cli
import rasa.utils.io
import rasa.utils.tensorflow.environment as tf_env
from rasa.utils.common import configure_logging_and_warnings
from rasa.utils.log_utils import configure_structlog

from launcher.services import RASA_JWT_METHOD

TOKEN_VARIABLE = "RASA_TOKEN"
# Options that would put a secret on the command line; refused, so nobody adds one back.
SECRET_OPTIONS = ("--auth-token", "-t", "--jwt-secret", "--jwt-private-key")


class RasaServerError(Exception):
    """The Rasa server cannot start as asked; the message says what to change."""


def secret_from_environment(env: Mapping[str, str]) -> str:
    secret = env.get(TOKEN_VARIABLE, "")
    if len(secret) < 16:
        raise RasaServerError(
            f"{TOKEN_VARIABLE} must be set to a secret of at least 16 characters "
            "(`make run` generates one into var/rasa_token)"
        )
    return secret


def check_no_secret_options(argv: list[str]) -> None:
    given = [arg for arg in argv if arg.split("=", 1)[0] in SECRET_OPTIONS]
    if given:
        raise RasaServerError(
            f"{given[0].split('=', 1)[0]} would show the secret to every local user in `ps`; "
            f"set {TOKEN_VARIABLE} in the environment instead"
        )


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    try:
        check_no_secret_options(arguments)
        secret = secret_from_environment(os.environ)
    except RasaServerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    args = rasa_cli.create_argument_parser().parse_args(["run", *arguments])
    args.auth_token = None  # no `?token=`: only signed JWTs in the Authorization header
    args.jwt_secret = secret
    args.jwt_method = RASA_JWT_METHOD
    # What `rasa.__main__.main` does before running a command (minus its telemetry, which
    # the launcher switches off, and plugin hooks, which open-source Rasa has none of).
    configure_logging_and_warnings(
        args.loglevel, args.logging_config_file, warn_only_once=True, filter_repeated_logs=True
    )
    tf_env.setup_tf_environment()
    tf_env.check_deterministic_ops()
    sys.path.insert(1, os.getcwd())  # bot/ (the custom NLU components) is imported by module name
    rasa.utils.io.configure_colored_logging(args.loglevel)
    configure_structlog(args.loglevel)
    args.func(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
