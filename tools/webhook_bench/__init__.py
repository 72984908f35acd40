"""The webhook throughput bench (`make bench-webhooks`), beside the product: see `command.py`."""
