"""Staff back office: accounts, second factor, sessions, permissions and case work."""
