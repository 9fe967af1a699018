"""Generated protobuf classes of the Allora package ``mint`` (sources: proto/pyallora/proto/mint/; regenerate with tools/gen_proto.py)."""
