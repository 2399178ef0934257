"""`ouen backup` and `ouen restore`, run as an operator would, on both databases: a restore
brings the data back, verifies the audit chain against the anchors, and erases again everyone
erased after the backup was taken — their values cannot be decrypted from it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
from litestar import Litestar
from sqlmodel import col, select

from core.audit import ANCHOR_FILE, CLI, write_anchor
from core.models import AuditEvent, ErasedKey, RecordKey
from core.settings import Settings
from intake.contact import contact_values
from intake.erasure import erase_proposal
from intake.models import Proposal
from tests.factories import make_proposal

NAME, EMAIL, PHONE = "しおさいカナリア花子", "shiosai.canary@example.jp", "0785559876"
BODY = "しおさいカナリア食堂で週末に配食します"


def ouen(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OUEN_ENV": "test", "OUEN_DATABASE_URL": settings.database_url,
           "OUEN_VAR_DIR": settings.var_dir, "OUEN_SECRET_KEY": settings.secret_key,
           "OUEN_DATA_KEYS": ",".join(settings.data_keys), "OUEN_AUDIT_KEY": settings.audit_key,
           "OUEN_INDEX_KEY": settings.index_key, "OUEN_BASE_URL": settings.base_url}
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True,
                          env=env, timeout=180, check=False)


async def test_a_restored_backup_keeps_everyone_erased_after_it_erased(
    client: httpx.AsyncClient, app: Litestar, settings: Settings, tmp_path: Path
) -> None:
    gone = await make_proposal(app, body=BODY, catchphrase="カナリアの配食",
                               contact={"nickname": NAME, "email": EMAIL, "phone": PHONE})
    kept = await make_proposal(app, ref="OU-KEPT-00001",
                               contact={"email": "kept@example.jp", "phone": "0781110000"})
    anchors = Path(settings.var_dir) / ANCHOR_FILE
    async with app.state.sessions() as db, db.begin():
        await app.state.audit.record(db, "staff.login", CLI)
        await write_anchor(db, anchors)
    backup_file = tmp_path / "before.backup"
    made = ouen(settings, "backup", str(backup_file))
    assert made.returncode == 0, made.stderr
    assert "backup written" in made.stdout and backup_file.stat().st_size > 0
    assert ouen(settings, "backup", str(backup_file)).returncode == 2  # never overwrites

    async with app.state.sessions() as db, db.begin():
        row = await db.get(Proposal, gone.id)
        assert row is not None
        sealed, key_id = row.email_enc, row.key_id
        assert await erase_proposal(db, app.state.cipher, app.state.audit, row, CLI, "request")
    async with app.state.sessions() as db, db.begin():
        await write_anchor(db, anchors)  # an anchor of an entry the backup never had

    refused = ouen(settings, "restore", str(backup_file))
    assert refused.returncode == 2 and "--yes" in refused.stderr
    await app.state.engine.dispose()  # the service is stopped for a restore
    restored = ouen(settings, "restore", str(backup_file), "--yes")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "erased again from the ledger (1 destroyed keys): 1 people" in restored.stdout
    assert "audit chain intact: 1 entries" in restored.stdout  # and matches its anchor
    assert "set aside" in restored.stdout
    ledger = [json.loads(line) for line in
              (Path(settings.var_dir) / "erasures.jsonl").read_text().splitlines()]
    assert [entry["key"] for entry in ledger] == [key_id]

    async with app.state.sessions() as db:
        again = await db.get(Proposal, gone.id)
        other = await db.get(Proposal, kept.id)
        assert again is not None and other is not None
        assert again.erased_at is not None and again.email_enc is None and again.body == ""
        # The ciphertext the backup held: its key is nowhere, so nothing can open it.
        assert sealed and await db.get(RecordKey, key_id) is None
        assert await db.get(ErasedKey, key_id) is not None
        assert app.state.cipher.record(key_id, None) is None
        assert contact_values(app.state.cipher, other)["email"] == "kept@example.jp"
        actions = (await db.exec(select(AuditEvent.action).order_by(col(AuditEvent.id)))).all()
        assert actions[-2:] == ["person.erased", "backup.restored"]
    verified = ouen(settings, "audit", "verify")
    assert verified.returncode == 0, verified.stdout
    if settings.database_url.startswith("sqlite"):
        database = Path(settings.database_url.split("///", 1)[1])
        for path in database.parent.glob(database.name + "*"):
            raw = path.read_bytes()
            for canary in (NAME, EMAIL, PHONE, BODY):
                assert canary.encode() not in raw, (path.name, canary)


async def test_restore_refuses_what_is_not_a_backup(
    client: httpx.AsyncClient, app: Litestar, settings: Settings, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database at all" * 100)
    result = ouen(settings, "restore", str(junk), "--yes")
    assert result.returncode == 2 and result.stderr.startswith("ouen: ")
    missing = ouen(settings, "restore", str(tmp_path / "absent"), "--yes")
    assert missing.returncode == 2 and "there is no backup" in missing.stderr
