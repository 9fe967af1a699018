"""Generated protobuf classes of the Allora package ``emissions.v4`` (sources: proto/pyallora/proto/emissions/v4/; regenerate with tools/gen_proto.py)."""
