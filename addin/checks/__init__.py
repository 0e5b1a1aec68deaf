"""nianbao.addin.checks — the rule catalogue, by family (numbers, arithmetic, structure,
cross-year, prose, aggregate), its registry, findings, and validate."""
