"""Customer requirements made measurable: a pasted requirement text split into items, each with
its category, quantities, dates, amounts, standards, responsible side and vague terms
(docs/requirements.md)."""
