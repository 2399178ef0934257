"""Transactional outbox, email rendering (ja/en, text + HTML) and delivery (knows only core).

models.py (OutboxMessage, OutboxStatus), services.py (queue an email in the caller's
transaction), sender.py (claim, render, send, erase), transport.py (SMTP, file, console),
worker.py (the sender and the periodic jobs that app.py assembles)."""
