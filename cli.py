"""The `ouen` command line, the second composition root beside app.py: each command opens
what it needs (settings, an engine, the keys), calls the plain functions a package exposes
for it, and prints the outcome. Packages never import this module."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import uvicorn
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.credentials import Passwords, make_hasher
from admin.messages import MESSAGES as ADMIN_MESSAGES
from admin.permissions import ROLES
from admin.services import create_user, rewrap_totp_secrets, staff_count
from app import build_worker_standalone, install_reactions, make_cipher
from core.audit import ANCHOR_FILE, CLI, AuditLog, read_anchors
from core.backup import BackupError
from core.crypto import FieldCipher
from core.db import create_engine, session_factory
from core.errors import DomainError
from core.i18n import make_gettext
from core.logs import configure_logging, log
from core.migrate import upgrade
from core.record_keys import rewrap_record_keys
from core.retention import RULES
from core.settings import Settings, SettingsError, load_settings
from intake.demo import create_proposals
from intake.search import reindex
from intake.services import reindex_email_lookups
from matching.evaluation import EvalSetError, evaluate, load, rank_all
from notifications.services import rewrap_outbox
from operations import backup_database, restore_database, run_retention
from publishing.demo import create_showcase

logger = logging.getLogger("ouen.cli")
T = TypeVar("T")


@dataclass(frozen=True)
class Command:
    """What a command works with: the settings, one engine, the keys."""

    settings: Settings
    engine: AsyncEngine
    cipher: FieldCipher
    audit: AuditLog

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with session_factory(self.engine)() as session, session.begin():
            yield session


def _run(settings: Settings, work: Callable[[Command], Awaitable[T]]) -> T:
    """Run `work` with an engine of its own, disposed however the command ends."""

    async def run() -> T:
        engine = create_engine(settings.database_url)
        try:
            return await work(Command(settings, engine, make_cipher(settings),
                                      AuditLog(settings.audit_key)))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    if args.workers > 1 and settings.database_url.startswith("sqlite"):
        print("ouen: several workers need PostgreSQL (SQLite has one writer).", file=sys.stderr)
        return 2
    # No access log: it would print raw paths, and /verify/{token} carries a token; client
    # addresses come from OUEN_TRUSTED_PROXIES only, not from proxy headers.
    uvicorn.run("app:main_app", factory=True, host=args.host, port=args.port,
                workers=args.workers, access_log=False, log_config=None, proxy_headers=False,
                server_header=False)
    return 0


def _migrate(settings: Settings, _args: argparse.Namespace) -> int:
    upgrade(settings.database_url, settings=settings)
    log(logger, logging.INFO, "database migrated")
    return 0


def _worker(settings: Settings, _args: argparse.Namespace) -> int:
    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with build_worker_standalone(settings) as worker:
            log(logger, logging.INFO, "worker started")
            await worker.run(stop)

    asyncio.run(run())
    return 0


def _purge(settings: Settings, args: argparse.Namespace) -> int:
    async def work(cmd: Command) -> dict[str, int]:
        return await run_retention(settings, session_factory(cmd.engine), cmd.cipher,
                                   cmd.audit, dry_run=args.dry_run)

    counts = _run(settings, work)
    verb = "would delete" if args.dry_run else "deleted"
    english = make_gettext("en")
    for rule in RULES:
        print(f"{rule.code}: {verb} {counts[rule.code]} ({english(rule.what)}; "
              f"{rule.when(settings, english)})")
    return 0


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    async def work(cmd: Command) -> tuple[int, int]:
        return await backup_database(settings, session_factory(cmd.engine), cmd.audit,
                                     Path(args.file))

    try:
        size, erased = _run(settings, work)
    except BackupError as exc:
        print(f"ouen: {exc}", file=sys.stderr)
        return 2
    print(f"backup written to {args.file} ({size} bytes)")
    print(f"erasure ledger {settings.erasure_ledger}: {erased} destroyed keys. Keep it with "
          "the keys, apart from the backups: a restore replays it so erased people stay erased.")
    return 0


def _restore(settings: Settings, args: argparse.Namespace) -> int:
    if not args.yes:
        print("ouen: restore replaces everything in the database by the backup; stop every "
              "instance and worker, then run it again with --yes", file=sys.stderr)
        return 2
    try:
        done = asyncio.run(restore_database(settings, make_cipher(settings),
                                            AuditLog(settings.audit_key), Path(args.file)))
    except BackupError as exc:
        print(f"ouen: {exc}", file=sys.stderr)
        return 2
    print(f"restored {args.file}", *done.report(), sep="\n")
    return 0 if done.chain.ok else 1


def _create_user(settings: Settings, args: argparse.Namespace) -> int:
    async def work(cmd: Command) -> int:
        async with cmd.transaction() as session:
            if args.if_no_staff and await staff_count(session) > 0:
                return 0
            user, secret = await create_user(
                session, Passwords(make_hasher()), cmd.audit, email=args.email, role=args.role,
                display_name=args.name or "", organisation=args.organisation or "", actor=CLI,
            )
        print(f"created {user.role} {user.email}")
        print(f"one-time password (must be changed at first login): {secret}")
        if user.totp_required:
            print("a second factor (TOTP) will be set up at first login")
        return 0

    try:
        return _run(settings, work)
    except DomainError as exc:
        # Message ids are English: the source language is what the operator reads.
        print(f"ouen: {make_gettext('en')(ADMIN_MESSAGES[exc.code])}", file=sys.stderr)
        return 2


def _demo_data(settings: Settings, args: argparse.Namespace) -> int:
    async def work(cmd: Command) -> tuple[int, int]:
        proposals = 0
        if not args.showcase_only:
            proposals = await create_proposals(cmd.engine, cmd.cipher, args.proposals,
                                               offset=args.offset)
        async with cmd.transaction() as session:
            stories = await create_showcase(session, cmd.cipher, cmd.audit)
        return proposals, stories

    proposals, stories = _run(settings, work)
    if not args.showcase_only:
        print(f"created {proposals} fictional proposals")
    print(f"created {stories} showcase projects with published stories")
    return 0


def _anchors(settings: Settings, args: argparse.Namespace) -> dict[int, str] | None:
    """Anchors from the file and from --anchor ID:MAC; None (after saying why) if malformed."""
    anchors = read_anchors(Path(args.anchors or Path(settings.var_dir) / ANCHOR_FILE))
    for given in args.anchor or ():
        number, _sep, mac = given.partition(":")
        if not number.isdigit() or len(mac) != 64:
            print(f"ouen: --anchor wants ID:MAC (64 hex digits), got {given!r}", file=sys.stderr)
            return None
        anchors[int(number)] = mac
    return anchors


def _audit(settings: Settings, args: argparse.Namespace) -> int:
    anchors = _anchors(settings, args)
    if anchors is None:
        return 2

    async def work(cmd: Command) -> int:
        async with session_factory(cmd.engine)() as session:
            result = await cmd.audit.verify(session, anchors)
        if result.ok:
            print(f"audit chain intact: {result.checked} entries; head {result.head}; "
                  f"{len(anchors)} anchors checked")
            return 0
        print(
            f"audit chain BROKEN at entry {result.bad_id}: {result.reason} "
            f"({result.checked} entries before it are intact)"
        )
        return 1

    return _run(settings, work)


def _search_reindex(settings: Settings, _args: argparse.Namespace) -> int:
    async def work(cmd: Command) -> int:
        async with cmd.engine.begin() as conn:
            return await reindex(conn)

    print(f"search index rebuilt: {_run(settings, work)} proposals")
    return 0


def _keys_reindex(settings: Settings, _args: argparse.Namespace) -> int:
    async def work(cmd: Command) -> int:
        async with cmd.transaction() as session:
            return await reindex_email_lookups(session, cmd.cipher, cmd.audit)

    count = _run(settings, work)
    print(f"email lookup index rebuilt with the current OUEN_INDEX_KEY: {count} rows")
    return 0


def _keys_rewrap(settings: Settings, _args: argparse.Namespace) -> int:
    async def work(cmd: Command) -> tuple[int, int, int]:
        async with cmd.transaction() as session:
            counts = (await rewrap_record_keys(session, cmd.cipher),
                      await rewrap_totp_secrets(session, cmd.cipher),
                      await rewrap_outbox(session, cmd.cipher))
            await cmd.audit.record(session, "keys.rewrapped", CLI, detail=(
                "record_keys={} totp_secrets={} outbox={}".format(*counts)))
        return counts

    records, secrets, mail = _run(settings, work)
    print(f"sealed again under the first key of OUEN_DATA_KEYS: {records} record keys, "
          f"{secrets} second-factor secrets, {mail} queued emails")
    return 0


def _offline(compute: Callable[[Any, argparse.Namespace], Any]) -> Callable[..., int]:
    """A command that reads an evaluation-shaped file and prints JSON: no settings, keys or
    database needed."""

    def run(args: argparse.Namespace) -> int:
        try:
            evalset = load(args.file)
        except EvalSetError as exc:
            print(f"ouen: {exc}", file=sys.stderr)
            return 2
        json.dump(compute(evalset, args), sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0

    return run


# Rank collaborators for every proposal, in memory; nDCG@k and precision@k of the engine and
# of the baseline on a judged file.
_matching_rank = _offline(lambda evalset, args: rank_all(evalset, limit=args.limit))
_matching_evaluate = _offline(lambda evalset, args: evaluate(evalset, k=args.k))


def _group(sub: Any, name: str, help_text: str) -> Any:
    """A command with subcommands (`ouen audit verify`)."""
    return sub.add_parser(name, help=help_text).add_subparsers(dest=f"{name}_command",
                                                               required=True)


def _operations(sub: Any) -> None:
    serve = sub.add_parser("serve", help="run the web application")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=_serve)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(run=_migrate)
    sub.add_parser("worker", help="send queued email and run scheduled jobs").set_defaults(
        run=_worker)
    purge = sub.add_parser("purge", help="delete data past its retention period")
    purge.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    purge.set_defaults(run=_purge)
    made = sub.add_parser("backup", help="copy the whole database to a file")
    made.add_argument("file", help="where to write it (must not exist)")
    made.set_defaults(run=_backup)
    back = sub.add_parser("restore", help="replace the database by a backup; erased stay erased")
    back.add_argument("file", help="a file written by ouen backup")
    back.add_argument("--yes", action="store_true", help="confirm: the database is replaced")
    back.set_defaults(run=_restore)
    user = sub.add_parser("create-user", help="create a staff account; prints a one-time password")
    user.add_argument("email")
    user.add_argument("--role", required=True, choices=ROLES)
    user.add_argument("--name", help="display name")
    user.add_argument("--organisation", help="e.g. the city or the contractor")
    user.add_argument("--if-no-staff", action="store_true",
                      help="do nothing when any staff account exists (used by make run)")
    user.set_defaults(run=_create_user)


def _data(sub: Any) -> None:
    demo = sub.add_parser("demo-data", help="fictional proposals for trying things out")
    demo.add_argument("--proposals", type=int, default=200)
    demo.add_argument("--offset", type=int, default=0, help="first reference number")
    demo.add_argument(
        "--showcase-only", action="store_true",
        help="only the projects, stories and call for the public site (used by make run)",
    )
    demo.set_defaults(run=_demo_data)
    verify = _group(sub, "audit", "audit chain tools").add_parser(
        "verify", help="recompute the chain; name the first bad entry")
    verify.add_argument("--anchors", help="anchor file (default: OUEN_VAR_DIR/audit-anchors.jsonl)")
    verify.add_argument("--anchor", action="append", help="ID:MAC of an entry recorded elsewhere")
    verify.set_defaults(run=_audit)
    _group(sub, "search", "the staff proposal search index").add_parser(
        "reindex", help="rebuild the index from the proposal table").set_defaults(
        run=_search_reindex)
    keys = _group(sub, "keys", "key maintenance")
    keys.add_parser(
        "reindex", help="recompute stored email lookups after changing OUEN_INDEX_KEY"
    ).set_defaults(run=_keys_reindex)
    keys.add_parser(
        "rewrap", help="seal every stored key and secret under the first OUEN_DATA_KEYS key"
    ).set_defaults(run=_keys_rewrap)


def _matching(sub: Any) -> None:
    matching = _group(sub, "matching", "the matching engine on a file, in memory")
    rank = matching.add_parser(
        "rank", help='print {"<proposal id>": [top collaborator ids, best first]} as JSON')
    rank.add_argument("file", help="a file shaped like shared/data/matching-dev.json")
    rank.add_argument("--limit", type=int, default=10, help="suggestions per proposal")
    rank.set_defaults(offline=_matching_rank)
    evaluate_cmd = matching.add_parser(
        "evaluate", help="nDCG@k and precision@k of the engine and the baseline")
    evaluate_cmd.add_argument("file", help="a judged file shaped like matching-dev.json")
    evaluate_cmd.add_argument("--k", type=int, default=5, help="cut-off (default 5)")
    evaluate_cmd.set_defaults(offline=_matching_evaluate)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ouen", description="ouen support platform")
    sub = parser.add_subparsers(dest="command", required=True)
    _operations(sub)
    _data(sub)
    _matching(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    install_reactions()
    if hasattr(args, "offline"):
        # Commands that read only a file: no settings, keys or database needed.
        offline: int = args.offline(args)
        return offline
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    with contextlib.suppress(KeyboardInterrupt):
        code: int = args.run(settings, args)
        return code
    return 130


if __name__ == "__main__":
    raise SystemExit(main())
