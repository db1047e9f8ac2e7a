"""The ``neuralab`` command: ``serve`` (the default), ``compare``, ``sweep`` and ``data``.

Every flag is derived from the parameter table; a bad value exits with status 2 and one
line naming the flag and its range, never a traceback. An unknown flag is reported by its
subcommand, with the closest known flag. Ctrl+C stops any command within a second, says so
in one line and exits with status 130.
"""

from __future__ import annotations

import argparse
import difflib
import errno
import gc
import json
import os
import re
import socket
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TypeVar

from neuralab.params import Param, ParamError, group

COMMANDS = ("serve", "compare", "sweep", "data")
LARGE_SWEEP = 200  # runs; a larger sweep asks for --yes
PORT_TRIES = 50  # like Jupyter: with no --port, the next free port up to 49 above the default
INTERRUPTED = 130  # the shell's status for a command stopped by Ctrl+C (128 + SIGINT)

T = TypeVar("T")


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (status 2) instead of usage dumps; ``flags`` lists its
    long flags, for suggestions."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.flags: list[str] = []
        super().__init__(*args, **kwargs)

    def add_argument(self, *names: str, **kwargs: Any) -> argparse.Action:
        self.flags += [n for n in names if n.startswith("--")]
        return super().add_argument(*names, **kwargs)

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
            parser.error(_usage(lab, param.name, param.expected("api"), raw))
    return values


def _usage(lab: str, name: str, expected: str, raw: Any) -> str:
    """One error line in the CLI's words: flags with their dashes, the value as typed."""
    flags = {n: "--" + n.replace("_", "-") for n in group(lab)}
    expected = re.sub(r"\b(" + "|".join(flags) + r")\b", lambda m: flags[m.group(1)], expected)
    return f"{flags.get(name, name)} must be {expected} (got '{raw}')"


def _unknown(parser: _Parser, extras: list[str]) -> NoReturn:
    """Report arguments no flag took, suggesting the closest known flag."""
    word = next((e for e in extras if e.startswith("-")), extras[0])
    flag = word.split("=", 1)[0]
    close = difflib.get_close_matches(flag, parser.flags, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close and flag.startswith("-") else ""
    parser.error(f"unrecognized argument '{word}'{hint}")


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
    sub = parser.add_subparsers(dest="command", metavar="{serve,compare,sweep,data}",
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

    sweep = sub.add_parser(
        "sweep", help="the comparison over a grid of settings, each repeated over seeds",
        description="Train the comparison for every combination of the values given (each "
        "flag takes one or more), with every seed, and write one row per model per run. "
        "Started again with the same flags and --out, it skips the runs already written.")
    for param in group("compare").values():
        if param.name == "seed":
            continue
        sweep.add_argument(_flag(param), dest=param.name, nargs="+",
                           metavar=param.kind.__name__.upper(), default=None,
                           help=f"{param.help} Accepts {param.expected('api')}; "
                           f"default {param.default}.")
    seeds = sweep.add_mutually_exclusive_group()
    seeds.add_argument("--seeds", metavar="N", default=None,
                       help="repeat every cell with seeds 0..N-1 (default 3)")
    seeds.add_argument("--seed", nargs="+", metavar="SEED", default=None,
                       help="repeat every cell with these seeds")
    sweep.add_argument("--out", metavar="PATH", help="append the rows to this CSV "
                       "(or .jsonl) file as runs finish; finished runs are skipped")
    sweep.add_argument("--workers", metavar="N", default=None,
                       help="local worker processes (default: one per core)")
    sweep.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                       help="run on this Dask distributed scheduler instead")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.add_argument("--yes", action="store_true",
                       help=f"run a sweep of more than {LARGE_SWEEP} runs")
    sweep.set_defaults(parser=sweep)

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
    try:
        args, extras = parser.parse_known_args(argv)
        if extras:
            _unknown(getattr(args, "parser", parser), extras)
        if args.command == "serve":
            return _serve(args.parser, args)
        if args.command == "compare":
            return _compare(args.parser, args)
        if args.command == "sweep":
            return _sweep(args.parser, args)
        return _data(args)
    except KeyboardInterrupt:
        print("neuralab: stopped (Ctrl+C)", file=sys.stderr)
        return INTERRUPTED


def run() -> NoReturn:
    """The ``neuralab`` console command: :func:`main`, then a quick exit."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    if code == INTERRUPTED:
        # Threads may still be in a C loop (a tree growing): leave them to the process's end.
        os._exit(code)
    # Leave the objects of the imported libraries to the process's end instead of a last
    # garbage collection: scikit-learn's import tree made exiting take ~0.15 s.
    gc.freeze()
    sys.exit(code)


def _interruptible(work: Callable[[threading.Event], T]) -> T:
    """Run ``work(cancel)`` in a thread; Ctrl+C sets ``cancel`` and returns at once.

    The main thread only waits, so Ctrl+C is seen within a tenth of a second even while
    the work sits in a long C call; :func:`run` then exits without waiting for it.
    """
    cancel = threading.Event()
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = work(cancel)
        except BaseException as exc:  # handed to the main thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="neuralab-work", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.1)
    except KeyboardInterrupt:
        cancel.set()
        raise
    if "error" in box:
        raise box["error"]
    return box["value"]


def _compare(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from neuralab.labs.compare import compare_models

    values = _param_values(parser, "compare", args)
    try:
        result = _interruptible(lambda cancel: compare_models(**values, cancel=cancel))
    except ParamError as exc:  # a combination out of range (e.g. train + val > 70,000)
        parser.error(_usage("compare", exc.param, exc.expected, getattr(args, exc.param)))
    if args.json:
        print(json.dumps(result.to_dict()))
    else:
        print(result.table())
    return 0


def _sweep(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from neuralab.labs import sweep as sweeps

    grid: dict[str, list[Any]] = {}
    for param in group("compare").values():
        if param.name == "seed":  # --seed and --seeds say which seeds, below
            continue
        for raw in getattr(args, param.name, None) or []:
            try:
                value = param.check(_parse(param, raw), "api")
            except (ParamError, ValueError):
                parser.error(_usage("compare", param.name, param.expected("api"), raw))
            grid.setdefault(param.name, []).append(value)
    seeds: Any = 3
    if args.seeds is not None:
        if not args.seeds.isdigit() or not 1 <= int(args.seeds) <= 1000:
            parser.error(f"--seeds must be an integer from 1 to 1000 (got '{args.seeds}')")
        seeds = int(args.seeds)
    elif args.seed is not None:
        seed = group("compare")["seed"]
        for raw in args.seed:
            try:
                seed.check(_parse(seed, raw))
            except (ParamError, ValueError):
                parser.error(_usage("compare", "seed", seed.expected("api"), raw))
        seeds = [int(raw) for raw in args.seed]
    workers = None
    if args.workers is not None:
        if not args.workers.isdigit() or not 1 <= int(args.workers) <= 256:
            parser.error(f"--workers must be an integer from 1 to 256 (got '{args.workers}')")
        workers = int(args.workers)
    try:
        plan = sweeps.cells(grid, seeds)
    except ParamError as exc:  # a combination out of range (e.g. train + val > 70,000)
        parser.error(_usage("compare", exc.param, exc.expected, exc.got))
    if len(plan) > LARGE_SWEEP and not args.yes:
        parser.error(f"this sweep is {len(plan)} runs (more than {LARGE_SWEEP}); "
                     "add --yes to run it")
    bar = None if args.quiet or not sys.stderr.isatty() else _ProgressBar(len(plan))
    try:
        records = _interruptible(lambda cancel: sweeps.sweep(
            grid, seeds=seeds, out=args.out, scheduler=args.scheduler, workers=workers,
            on_progress=bar))
    except (sweeps.SweepFileMismatch, sweeps.SchedulerUnreachable, ImportError) as exc:
        print(f"neuralab sweep: {exc}", file=sys.stderr)
        return 1
    finally:
        if bar is not None:
            bar.close()
    print(sweeps.summary(records))
    if args.out:
        print(f"\n{len(records)} rows in {args.out}")
    return 0


class _ProgressBar:
    """A tqdm bar on stderr that ``sweep(on_progress=...)`` moves: runs done, failed runs,
    and the time left at this run's pace (runs found already done don't count)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar: Any = None

    def __call__(self, progress: Any) -> None:
        from tqdm import tqdm

        if self.bar is None:
            try:  # a terminal that does not know its size (0 x 0) gets 80 x 24
                size = os.get_terminal_size(sys.stderr.fileno())
                sized = size.columns > 0 and size.lines > 0
            except OSError:
                sized = False
            self.bar = tqdm(total=self.total, initial=progress.done, unit="run",
                            file=sys.stderr, dynamic_ncols=sized, desc="sweep",
                            **({} if sized else {"ncols": 80, "nrows": 24}))
            if progress.skipped:
                self.bar.write(f"neuralab sweep: {progress.skipped} runs already done, "
                               "skipped")
        self.bar.update(progress.done - self.bar.n)
        if progress.failed:
            self.bar.set_postfix_str(f"{progress.failed} failed")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


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


class CannotListen(Exception):
    """The lab cannot listen where it was asked to; the message says what to do."""


def bind(host: str, port: int, *, tries: int = 1) -> socket.socket:
    """A listening TCP socket on ``host``, at ``port`` or (with ``tries`` > 1) the next free
    port above it. Raises :class:`CannotListen` with a one-line reason."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise CannotListen(f"cannot listen on {host!r}: no such address on this computer "
                           f"({getattr(exc, 'strerror', None) or exc})") from None
    family, _, _, _, address = infos[0]
    for candidate in range(port, min(port + tries, 65536)):
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((address[0], candidate, *address[2:]))
            sock.listen(2048)
        except OSError as exc:
            sock.close()
            if exc.errno == errno.EADDRINUSE and candidate + 1 < min(port + tries, 65536):
                print(f"neuralab: port {candidate} is in use, trying {candidate + 1}",
                      file=sys.stderr)
                continue
            if exc.errno == errno.EADDRINUSE:
                what = "is in use" if tries == 1 else f"and the {tries - 1} above it are in use"
                raise CannotListen(
                    f"cannot listen on {host}:{port}: the port {what}; stop what uses it or "
                    f"choose another one with --port (e.g. --port {port + tries})") from None
            raise CannotListen(f"cannot listen on {host}:{candidate}: "
                               f"{exc.strerror or exc}") from None
        return sock
    raise CannotListen(f"cannot listen on {host}:{port}: no port to try")


def _serve(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    import webbrowser

    import uvicorn

    from neuralab.server import create_app
    from neuralab.server.access import Access, is_loopback, reachable_addresses
    from neuralab.server.serving import config

    values = _param_values(parser, "serve", args)
    host = values.get("host", group("serve")["host"].default)
    port = values.get("port", group("serve")["port"].default)
    addresses = [] if is_loopback(host) else reachable_addresses(host)
    access = Access.for_bind(host, token=values.get("token") or None,
                             allow_hosts=values.get("allow_host", "").split(","),
                             addresses=addresses)
    try:
        app = create_app(scheduler=values.get("scheduler") or None, access=access,
                         queue=values.get("queue", group("serve")["queue"].default),
                         train_in=values.get("train_in", group("serve")["train_in"].default))
    except (ConnectionError, ImportError) as exc:  # an unreachable or unusable scheduler
        print(f"neuralab: {exc}", file=sys.stderr)
        return 1
    try:
        sock = bind(host, port, tries=1 if "port" in values else PORT_TRIES)
    except CannotListen as exc:
        print(f"neuralab: {exc}", file=sys.stderr)
        return 1
    port = sock.getsockname()[1]
    query = f"?token={access.token}" if access.token else ""
    local = "127.0.0.1" if host in ("0.0.0.0", "::") or not is_loopback(host) else host
    url = f"http://{_url_host(local)}:{port}/{query}"
    if not is_loopback(host):
        print(f"neuralab: listening on {host}:{port}, NOT only on this computer: anyone who "
              "can reach this machine and has the token can use the lab.", file=sys.stderr)
    print(f"neuralab: the lab is at {url} (Ctrl+C to stop)", file=sys.stderr)
    if not is_loopback(host):
        names = [*addresses, socket.gethostname()] if host in ("0.0.0.0", "::") else [host]
        print("neuralab: learners open " + " or ".join(
            f"http://{_url_host(name)}:{port}/{query}" for name in names), file=sys.stderr)
    if not args.no_browser:
        opener = threading.Timer(1.0, lambda: webbrowser.open(url))
        opener.daemon = True
        opener.start()
    if values.get("scheduler"):
        print(f"neuralab: the comparisons train on the Dask cluster at {values['scheduler']}",
              file=sys.stderr)
    server = uvicorn.Server(config(app, log_level="warning"))
    # uvicorn stops on Ctrl+C (or SIGTERM), then raises the signal again once it has.
    server.run(sockets=[sock])
    return 0


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
