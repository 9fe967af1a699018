"""Generated protobuf classes of the Allora package ``mint.v3`` (sources: proto/pyallora/proto/mint/v3/; regenerate with tools/gen_proto.py)."""
