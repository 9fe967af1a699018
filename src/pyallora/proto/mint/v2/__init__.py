"""Generated protobuf classes of the Allora package ``mint.v2`` (sources: proto/pyallora/proto/mint/v2/; regenerate with tools/gen_proto.py)."""
