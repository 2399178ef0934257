"""The composition roots install every package's reactions (core/hooks.py), so a case that
closes withdraws its introductions and takes its stories down whichever process closes it:
the web app, the worker or a command. Each root is checked in a fresh interpreter, where
nothing was installed before; and a reaction that fails rolls the status change back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
from litestar import Litestar
from sqlmodel import col, select

from admin.events import CaseClosed, case_closed
from admin.models import ProposalTransition
from core.hooks import Unit
from tests.factories import make_proposal, signed_in, status_change

EXPECTED = {
    "admin.case_closed": ["matching.reactions.withdraw_for_closed_case",
                          "publishing.reactions.unpublish_retracted_case"],
    "intake.collaborator_left": ["matching.reactions.withdraw_for_collaborator"],
}
PROBE = """
import json, sys
from admin.events import case_closed
from intake.events import collaborator_left
hooks = (case_closed, collaborator_left)
before = {h.name: list(h.reactions) for h in hooks}
{start}
after = {h.name: list(h.reactions) for h in hooks}
print(json.dumps({"before": before, "after": after}))
"""
STARTS = {
    "app": "import app\napp.create_app()",
    "worker": ("import asyncio, app\nfrom core.settings import load_settings\n"
               "async def go():\n"
               "    async with app.build_worker_standalone(load_settings()):\n"
               "        pass\n"
               "asyncio.run(go())"),
    "cli": "import cli\nassert cli.main(['purge', '--dry-run']) == 0",
}


def _probe(tmp_path: Path, start: str) -> dict[str, dict[str, list[str]]]:
    env = {**os.environ, "OUEN_VAR_DIR": str(tmp_path / "var"),
           "OUEN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/probe.db"}
    subprocess.run([sys.executable, "-m", "cli", "migrate"], env=env, check=True,
                   capture_output=True, timeout=120)
    done = subprocess.run([sys.executable, "-c", PROBE.replace("{start}", start)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, dict[str, list[str]]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_app_worker_and_cli_install_the_same_reactions(tmp_path: Path) -> None:
    for name, start in STARTS.items():
        seen = _probe(tmp_path / name, start)
        assert seen["before"] == {hook: [] for hook in EXPECTED}, name
        assert seen["after"] == EXPECTED, name


async def test_a_failing_reaction_leaves_the_case_open(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    proposal = await make_proposal(app, status="seeking")
    await signed_in(client, app, "coordinator")

    async def broken(unit: Unit, event: CaseClosed) -> None:
        raise RuntimeError("a reaction failed")

    case_closed.connect(broken)
    try:
        refused = await status_change(client, proposal.id or 0, "withdrawn")
    finally:
        case_closed.disconnect(broken)
    assert refused.status_code == 500
    async with app.state.sessions() as db:
        row = await db.get(type(proposal), proposal.id)
        moves = (await db.exec(select(ProposalTransition).where(
            col(ProposalTransition.proposal_id) == proposal.id))).all()
    assert row is not None and row.status == "seeking" and list(moves) == []
    done = await status_change(client, proposal.id or 0, "withdrawn")
    assert done.status_code == 303
