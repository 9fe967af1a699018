"""Generated protobuf classes of the Allora package ``mint.v1beta1`` (sources: proto/pyallora/proto/mint/v1beta1/; regenerate with tools/gen_proto.py)."""
