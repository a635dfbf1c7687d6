"""Read: find nothing, trust nothing; turn YAML files and article text into located values."""
