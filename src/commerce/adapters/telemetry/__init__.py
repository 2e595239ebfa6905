"""OpenTelemetry: the tracer set up from the standard `OTEL_*` variables, and the trace context
that events carry from the command that recorded them to the workers that apply them."""
