"""The read side: one package per Elasticsearch read model (mapping, document, projector,
query), and what they share. Run by the worker entrypoint (`commerce.entrypoints.worker`)."""
