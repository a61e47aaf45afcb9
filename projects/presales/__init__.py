"""Pre-sales: engineering's feasibility assessment, business's quote, promise gaps."""
