"""HTML pages for clients (book, pay, manage) and providers (login, dashboard)."""
