"""Emails: the SMTP notifier and the Jinja2 templates the messages are made from."""
