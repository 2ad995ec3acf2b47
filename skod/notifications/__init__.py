"""E-mail: rendering (text + HTML, in the recipient's language) and delivery through Celery."""
