"""Generated protobuf classes of the Allora package ``emissions.v5`` (sources: proto/pyallora/proto/emissions/v5/; regenerate with tools/gen_proto.py)."""
