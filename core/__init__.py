"""Infrastructure that knows no domain (DESIGN.md §3, the bottom of the one-way order).

settings.py (OUEN_* variables), db.py (engine, SQLite pragmas, EnumText/JSONList columns),
models.py (the audit table) and audit.py (the keyed chain, `Actor`), crypto.py (field
encryption, blind index, tokens, signatures), context.py (typed request dependencies),
hooks.py (reactions of upper packages, run in the caller's transaction), errors.py
(`DomainError`), redaction.py (contact values in free text), i18n.py, web.py, security.py,
ratelimit.py, http.py, logs.py, health.py, error_pages.py, migrate.py."""
