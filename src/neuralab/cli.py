"""The ``neuralab`` command: ``serve`` (the default), ``compare`` and ``data``.

Every flag is derived from the parameter table; a bad value exits with status 2 and one
line naming the flag and its range, never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import sys
import threading
from collections.abc import Sequence
from typing import Any, NoReturn

from neuralab.params import Param, ParamError, group

COMMANDS = ("serve", "compare", "data")


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (status 2) instead of usage dumps."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _flag(param: Param) -> str:
    return "--" + param.name.replace("_", "-")


def _add_param_flags(
    parser: argparse.ArgumentParser, lab: str, *, skip: Sequence[str] = ()
) -> None:
    for param in group(lab).values():
        if param.name in skip:
            continue
        parser.add_argument(
            _flag(param), dest=param.name, metavar=param.kind.__name__.upper(),
            default=None, help=f"{param.help} Accepts {param.expected('api')}; "
            f"default {param.default}.",
        )


def _param_values(parser: argparse.ArgumentParser, lab: str, args: argparse.Namespace) -> dict:
    """Parse and validate the flags of lab ``lab`` against the table (API scope)."""
    values: dict[str, Any] = {}
    for param in group(lab).values():
        raw = getattr(args, param.name, None)
        if raw is None:
            continue
        try:
            values[param.name] = param.check(_parse(param, raw), "api")
        except (ParamError, ValueError):
            parser.error(f"{_flag(param)} must be {param.expected('api')} (got {raw!r})")
    return values


def _parse(param: Param, raw: str) -> Any:
    if param.kind is int:
        return int(raw)
    if param.kind is float:
        return float(raw)
    return raw


def build_parser() -> argparse.ArgumentParser:
    from neuralab import __version__

    parser = _Parser(
        prog="neuralab",
        description="An offline lab for learning how neural networks learn functions. "
        "With no command, starts the lab in your browser.",
    )
    parser.add_argument("--version", action="version", version=f"neuralab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{serve,compare,data}",
                                parser_class=_Parser)

    serve = sub.add_parser("serve", help="start the lab web app (the default)",
                           description="Start the lab web app on this computer.")
    _add_param_flags(serve, "serve")
    serve.add_argument("--no-browser", action="store_true",
                       help="do not open a browser tab")
    serve.set_defaults(parser=serve)

    compare = sub.add_parser(
        "compare", help="train logistic regression, a decision tree and an MLP on MNIST",
        description="The lesson's comparison: the first --train-size MNIST images train a "
        "logistic regression, a decision tree and a ReLU MLP; the last --val-size images "
        "measure their accuracy.",
    )
    _add_param_flags(compare, "compare")
    compare.add_argument("--json", action="store_true", help="print the result as JSON")
    compare.set_defaults(parser=compare)

    data = sub.add_parser("data", help="describe the bundled datasets",
                          description="Describe the datasets bundled with neuralab.")
    data.add_argument("--json", action="store_true", help="print as JSON")
    data.set_defaults(parser=data)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "serve")
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args.parser, args)
    if args.command == "compare":
        return _compare(args.parser, args)
    return _data(args)


def run() -> NoReturn:
    """The ``neuralab`` console command: :func:`main`, then a quick exit."""
    code = main()
    # Leave the objects of the imported libraries to the process's end instead of a last
    # garbage collection: scikit-learn's import tree made exiting take ~0.15 s.
    gc.freeze()
    sys.exit(code)


def _compare(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from neuralab.data import load_mnist
    from neuralab.labs.compare import compare_models

    values = _param_values(parser, "compare", args)
    # scikit-learn's import (for the tree) is most of a fresh `neuralab compare`. Done first,
    # with only the data loading beside it, it takes ~0.1 s less than while models train.
    loader = threading.Thread(target=load_mnist, daemon=True)
    loader.start()
    importlib.import_module("sklearn.tree")
    loader.join()
    try:
        result = compare_models(**values)
    except ParamError as exc:  # a combination out of range (e.g. train + val > 70,000)
        parser.error(str(exc).replace(exc.param, "--" + exc.param.replace("_", "-"), 1))
    if args.json:
        print(json.dumps(result.to_dict()))
    else:
        print(result.table())
    return 0


def _data(args: argparse.Namespace) -> int:
    from neuralab.data import describe

    sets = describe()
    if args.json:
        print(json.dumps(sets, indent=2))
        return 0
    for d in sets:
        shape = " x ".join(map(str, d["shape"]))
        print(f"{d['name']:<10} {shape:<18} {d['dtype']} {d['values']:<8} labels {d['labels']:<5}"
              f" {d['source']} ({d['licence']})")
    return 0


def _serve(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    import threading
    import webbrowser

    import uvicorn

    from neuralab.server import create_app

    values = _param_values(parser, "serve", args)
    host = values.get("host", group("serve")["host"].default)
    port = values.get("port", group("serve")["port"].default)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{port}/"
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"neuralab: listening on {host}:{port}, NOT only on this computer: anyone who "
              "can reach this machine can use the lab.", file=sys.stderr)
    print(f"neuralab: the lab is at {url} (Ctrl+C to stop)", file=sys.stderr)
    if not args.no_browser:
        threading.Timer(1.0, lambda: webbrowser.open(url)).start()
    try:
        uvicorn.run(create_app(), host=host, port=port, log_level="warning")
    except OSError as exc:
        print(f"neuralab: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0
