"""Generated protobuf classes of Allora's own packages (emissions, mint).

One sub-package per Allora protobuf package: ``pyallora.proto.emissions.v3`` (data types),
``.emissions.v4`` (typed events), ``.emissions.v5`` (params, msgs, queries, genesis),
``.mint.v1beta1`` (params, genesis, queries), ``.mint.v2`` (msgs), ``.mint.v3`` (events).
Full message names are Allora's (``emissions.v5.InsertWorkerPayloadRequest``), so type URLs,
gRPC method paths and event types match the reference chain (PROTOCOL.md §3, §4, App. B).

Sources: ``proto/pyallora/proto/**.proto``; regenerate with ``python tools/gen_proto.py``
(``--check`` verifies the committed files). Do not edit the ``*_pb2`` modules by hand.
"""
