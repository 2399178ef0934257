"""The `ouen` command line: serve, migrate, worker, purge, create-user, demo-data, audit."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections.abc import AsyncIterator, Sequence

from sqlalchemy.ext.asyncio import AsyncEngine

from admin.permissions import ROLES
from core.logs import configure_logging, log
from core.settings import Settings, SettingsError, load_settings

logger = logging.getLogger("ouen.cli")


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    if args.workers > 1 and settings.database_url.startswith("sqlite"):
        print("ouen: several workers need PostgreSQL (SQLite has one writer).", file=sys.stderr)
        return 2
    uvicorn.run(
        "app:main_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=False,  # it would print raw paths, and /verify/{token} carries a token
        log_config=None,
        proxy_headers=False,  # client addresses come from OUEN_TRUSTED_PROXIES only
        server_header=False,
    )
    return 0


def _migrate(settings: Settings, _args: argparse.Namespace) -> int:
    from core.migrate import upgrade

    upgrade(settings.database_url)
    log(logger, logging.INFO, "database migrated")
    return 0


def _worker(settings: Settings, _args: argparse.Namespace) -> int:
    from app import build_worker_standalone

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


@contextlib.asynccontextmanager
async def _database(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine for one command, disposed however the command ends."""
    from core.db import create_engine

    engine = create_engine(settings.database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


def _purge(settings: Settings, args: argparse.Namespace) -> int:
    from core.audit import AuditLog
    from core.db import session_factory
    from intake.services import purge_unverified

    async def run() -> int:
        async with _database(settings) as engine, session_factory(engine)() as session, \
                session.begin():
            return await purge_unverified(
                session, AuditLog(settings.audit_key), dry_run=args.dry_run
            )

    count = asyncio.run(run())
    verb = "would delete" if args.dry_run else "deleted"
    print(f"unverified proposals and collaborators older than 48 hours: {verb} {count}")
    return 0


def _create_user(settings: Settings, args: argparse.Namespace) -> int:
    from admin.credentials import Passwords, make_hasher
    from admin.services import UserError, create_user, staff_count
    from core.audit import AuditLog
    from core.db import session_factory

    async def run() -> int:
        try:
            async with _database(settings) as engine, session_factory(engine)() as session, \
                    session.begin():
                if args.if_no_staff and await staff_count(session) > 0:
                    return 0
                user, secret = await create_user(
                    session, Passwords(make_hasher()), AuditLog(settings.audit_key),
                    email=args.email, role=args.role, display_name=args.name or "",
                    organisation=args.organisation or "", actor="cli",
                )
        except UserError as exc:
            print(f"ouen: {exc}", file=sys.stderr)
            return 2
        print(f"created {user.role} {user.email}")
        print(f"one-time password (must be changed at first login): {secret}")
        if user.totp_required:
            print("a second factor (TOTP) will be set up at first login")
        return 0

    return asyncio.run(run())


def _demo_data(settings: Settings, args: argparse.Namespace) -> int:
    from admin.demo import create_proposals
    from app import make_cipher
    from core.audit import AuditLog
    from core.db import session_factory
    from publishing.demo import create_showcase

    async def run() -> tuple[int, int]:
        cipher = make_cipher(settings)
        async with _database(settings) as engine:
            proposals = 0
            if not args.showcase_only:
                proposals = await create_proposals(
                    engine, cipher, args.proposals, offset=args.offset
                )
            async with session_factory(engine)() as session, session.begin():
                stories = await create_showcase(session, cipher, AuditLog(settings.audit_key))
            return proposals, stories

    proposals, stories = asyncio.run(run())
    if not args.showcase_only:
        print(f"created {proposals} fictional proposals")
    print(f"created {stories} showcase projects with published stories")
    return 0


def _audit(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from core.audit import ANCHOR_FILE, AuditLog, read_anchors
    from core.db import session_factory

    anchors = read_anchors(Path(args.anchors or Path(settings.var_dir) / ANCHOR_FILE))
    for given in args.anchor or ():
        number, _sep, mac = given.partition(":")
        if not number.isdigit() or len(mac) != 64:
            print(f"ouen: --anchor wants ID:MAC (64 hex digits), got {given!r}", file=sys.stderr)
            return 2
        anchors[int(number)] = mac

    async def run() -> int:
        async with _database(settings) as engine, session_factory(engine)() as session:
            result = await AuditLog(settings.audit_key).verify(session, anchors)
        if result.ok:
            print(f"audit chain intact: {result.checked} entries; head {result.head}; "
                  f"{len(anchors)} anchors checked")
            return 0
        print(
            f"audit chain BROKEN at entry {result.bad_id}: {result.reason} "
            f"({result.checked} entries before it are intact)"
        )
        return 1

    return asyncio.run(run())


def _search_reindex(settings: Settings, _args: argparse.Namespace) -> int:
    from admin.search import reindex

    async def run() -> int:
        async with _database(settings) as engine, engine.begin() as conn:
            return await reindex(conn)

    count = asyncio.run(run())
    print(f"search index rebuilt: {count} proposals")
    return 0


def _keys_reindex(settings: Settings, _args: argparse.Namespace) -> int:
    from app import make_cipher
    from core.audit import AuditLog
    from core.db import session_factory
    from intake.services import reindex_email_lookups

    async def run() -> int:
        async with _database(settings) as engine, session_factory(engine)() as session, \
                session.begin():
            return await reindex_email_lookups(session, make_cipher(settings),
                                               AuditLog(settings.audit_key))

    count = asyncio.run(run())
    print(f"email lookup index rebuilt with the current OUEN_INDEX_KEY: {count} rows")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ouen", description="ouen support platform")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web application")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=_serve)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(run=_migrate)
    sub.add_parser("worker", help="send queued email and run scheduled jobs").set_defaults(
        run=_worker
    )
    purge = sub.add_parser("purge", help="delete data past its retention period")
    purge.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    purge.set_defaults(run=_purge)
    user = sub.add_parser("create-user", help="create a staff account; prints a one-time password")
    user.add_argument("email")
    user.add_argument("--role", required=True, choices=ROLES)
    user.add_argument("--name", help="display name")
    user.add_argument("--organisation", help="e.g. the city or the contractor")
    user.add_argument("--if-no-staff", action="store_true",
                      help="do nothing when any staff account exists (used by make run)")
    user.set_defaults(run=_create_user)
    demo = sub.add_parser("demo-data", help="fictional proposals for trying things out")
    demo.add_argument("--proposals", type=int, default=200)
    demo.add_argument("--offset", type=int, default=0, help="first reference number")
    demo.add_argument(
        "--showcase-only",
        action="store_true",
        help="only the projects, stories and call for the public site (used by make run)",
    )
    demo.set_defaults(run=_demo_data)
    audit = sub.add_parser("audit", help="audit chain tools")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", help="recompute the chain; name the first bad entry")
    verify.add_argument("--anchors", help="anchor file (default: OUEN_VAR_DIR/audit-anchors.jsonl)")
    verify.add_argument("--anchor", action="append", help="ID:MAC of an entry recorded elsewhere")
    verify.set_defaults(run=_audit)
    search = sub.add_parser("search", help="the staff proposal search index")
    search_sub = search.add_subparsers(dest="search_command", required=True)
    search_sub.add_parser(
        "reindex", help="rebuild the index from the proposal table"
    ).set_defaults(run=_search_reindex)
    keys = sub.add_parser("keys", help="key maintenance")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    keys_sub.add_parser(
        "reindex", help="recompute stored email lookups after changing OUEN_INDEX_KEY"
    ).set_defaults(run=_keys_reindex)
    matching = sub.add_parser("matching", help="the matching engine on a file, in memory")
    matching_sub = matching.add_subparsers(dest="matching_command", required=True)
    rank = matching_sub.add_parser(
        "rank", help='print {"<proposal id>": [top collaborator ids, best first]} as JSON'
    )
    rank.add_argument("file", help="a file shaped like shared/data/matching-dev.json")
    rank.add_argument("--limit", type=int, default=10, help="suggestions per proposal")
    rank.set_defaults(offline=_matching_rank)
    evaluate = matching_sub.add_parser(
        "evaluate", help="nDCG@k and precision@k of the engine and the baseline"
    )
    evaluate.add_argument("file", help="a judged file shaped like matching-dev.json")
    evaluate.add_argument("--k", type=int, default=5, help="cut-off (default 5)")
    evaluate.set_defaults(offline=_matching_evaluate)
    return parser


def _matching_rank(args: argparse.Namespace) -> int:
    """Rank collaborators for every proposal of an evaluation-shaped file, in memory."""
    from matching.evaluation import EvalSetError, load, rank_all

    try:
        evalset = load(args.file)
    except EvalSetError as exc:
        print(f"ouen: {exc}", file=sys.stderr)
        return 2
    json.dump(rank_all(evalset, limit=args.limit), sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


def _matching_evaluate(args: argparse.Namespace) -> int:
    """nDCG@k and precision@k of the engine and of the baseline on a judged file."""
    from matching.evaluation import EvalSetError, evaluate, load

    try:
        evalset = load(args.file)
    except EvalSetError as exc:
        print(f"ouen: {exc}", file=sys.stderr)
        return 2
    json.dump(evaluate(evalset, k=args.k), sys.stdout, indent=1)
    print()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
