"""The read side's writers: one module per Elasticsearch read model, and the Dramatiq worker."""
