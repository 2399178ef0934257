"""Infrastructure: settings, database, crypto, i18n, logging, security headers."""
