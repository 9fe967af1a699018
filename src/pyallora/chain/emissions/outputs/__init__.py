"""Network outputs and submission views: the §4.4 queries, network inferences with error bars,
and the "can submit now" window checks (PROTOCOL.md §4.4, §4.6, §8)."""
