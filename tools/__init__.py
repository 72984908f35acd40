"""Tools beside the product, not part of it: the benchmark harness (`tools.bench`) and the webhook
throughput bench. Only `tools.settings` (and `tools.settings_test` for their own tests) installs them;
the product's settings, apps and test paths never see this folder.
"""
