"""Generated protobuf classes of the Allora package ``emissions`` (sources: proto/pyallora/proto/emissions/; regenerate with tools/gen_proto.py)."""
