"""Transactional outbox, email rendering (ja/en, text + HTML) and delivery."""
