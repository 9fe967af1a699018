"""Generated protobuf classes of the Allora package ``emissions.v3`` (sources: proto/pyallora/proto/emissions/v3/; regenerate with tools/gen_proto.py)."""
