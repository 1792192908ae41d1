"""The built-in sandbox marketplace: REST API, rules, demo data, store and signed webhooks."""
