"""ERP integration: API clients and their tokens, webhooks out with the outbound-address guard,
their tasks."""
