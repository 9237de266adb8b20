"""jiit-assets: Dagster assets that keep JIIT students informed about campus placements."""
